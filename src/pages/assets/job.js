// Follows a running job (an import, a label sheet) on its page: the progress bar moves as the
// worker reports, and the page reloads once the job is over to show its files and line errors.
'use strict';

(() => {
  const heading = document.querySelector('[data-job-id]');
  if (!heading) return;
  const bar = document.querySelector('#avancement');
  const count = bar.nextElementSibling;
  const follow = async () => {
    const response = await fetch(`/api/jobs/${heading.dataset.jobId}`, { credentials: 'same-origin' }).catch(() => null);
    const job = response?.ok ? await response.json() : null;
    if (job) {
      if (job.total !== null) bar.max = job.total;
      bar.value = job.processed;
      count.textContent = `${job.processed} / ${job.total ?? '?'}`;
      if (job.state === 'succeeded' || job.state === 'failed') return window.location.reload();
    }
    setTimeout(follow, 1000);
  };
  setTimeout(follow, 500);
})();
