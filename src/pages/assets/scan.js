// The scan station: a handheld scanner types a code and Enter into the focused input, or the
// camera reads a label's QR code; the device card comes from the server (/scan/card), and every
// action is sent to the API with an Idempotency-Key. Actions taken while the network is down wait
// in this browser (localStorage) and are sent when it returns: the key makes a resend a replay.
'use strict';

(() => {
  const queueKey = 'boucle-scan-queue';
  const $ = (selector) => document.querySelector(selector);
  const input = $('#scan-code');
  const card = $('#card');
  const result = $('#result');
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
  const cards = new Map(); // code → card HTML, to act on a device scanned earlier while offline
  let current = null; // the code of the card on screen
  let batchMode = false;

  const normalise = (text) => text.trim().toUpperCase().replace(/[\s-]/g, '');
  const say = (message, ok = true) => {
    result.textContent = message;
    result.className = ok ? 'result-ok' : 'result-bad';
  };

  // Keep the focus on the input, unless the person is filling a form: a scanner types wherever the
  // focus is. Never while a button is pressed: focusing the input between the press and the release
  // would scroll the page under the pointer, and the release would land elsewhere, losing the click.
  const refocus = () => {
    const active = document.activeElement;
    if (!active || active === document.body || active.tagName === 'BUTTON') input.focus({ preventScroll: true });
  };
  document.addEventListener('focusout', (event) => {
    if (event.relatedTarget?.tagName !== 'BUTTON') setTimeout(refocus, 0);
  });
  document.addEventListener('click', (event) => {
    if (event.target.closest?.('button')) setTimeout(refocus, 0);
  });

  // ---- the queue of actions, kept in this browser until the API has answered them
  const load = () => JSON.parse(localStorage.getItem(queueKey) ?? '[]');
  const save = (queue) => {
    localStorage.setItem(queueKey, JSON.stringify(queue));
    const pending = $('#pending');
    pending.hidden = queue.length === 0;
    pending.querySelector('[data-testid="pending-count"]').textContent = String(queue.length);
  };
  const enqueue = (operation) => {
    save([...load(), { ...operation, key: crypto.randomUUID() }]);
    void flush();
  };

  let flushing = false;
  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      for (let queue = load(); queue.length > 0; queue = load()) {
        const operation = queue[0];
        let response;
        try {
          response = await fetch(operation.path, {
            method: operation.method,
            headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, 'idempotency-key': operation.key },
            body: JSON.stringify(operation.body ?? {}),
            credentials: 'same-origin',
            // A request that never answers (a dead connection on a weak network) must not hold the queue.
            signal: AbortSignal.timeout(10_000),
          });
        } catch {
          return; // offline or no answer: kept, sent again with the same key shortly
        }
        const answer = await response.json().catch(() => ({}));
        if (response.status === 409 && answer.code === 'request_in_progress') {
          await new Promise((resolve) => setTimeout(resolve, 1000));
          continue;
        }
        save(load().filter((waiting) => waiting.key !== operation.key));
        report(operation, response.ok, answer);
      }
    } finally {
      flushing = false;
    }
  }
  // Scans of devices never seen here, kept while offline: their cards are fetched when the network returns.
  const scansKey = 'boucle-scan-pending-scans';
  const loadScans = () => JSON.parse(localStorage.getItem(scansKey) ?? '[]');
  function saveScans(codes) {
    localStorage.setItem(scansKey, JSON.stringify(codes));
    const list = $('#offline-scans');
    list.hidden = codes.length === 0;
    list.querySelector('[data-testid="offline-scan-count"]').textContent = String(codes.length);
  }
  async function resolveScans() {
    const waiting = loadScans();
    if (waiting.length === 0 || !navigator.onLine) return;
    saveScans([]);
    for (const code of waiting) await open(code);
  }

  window.addEventListener('online', () => {
    void flush();
    void resolveScans();
  });
  setInterval(() => void flush(), 5000);

  function report(operation, ok, answer) {
    const done = document.querySelector(`#batch-report [data-code="${operation.code}"]`);
    if (operation.batch && done) {
      done.dataset.result = ok ? 'applied' : 'failed';
      done.querySelector('.outcome').textContent = ok ? ' — fait' : ` — refusé : ${answer.detail ?? 'erreur'}`;
    }
    // Recorded but not enough yet (a wipe below the level a medium needs): say what is missing.
    // The level's words are the wipe form's own option label.
    const levelWords = (level) => card.querySelector(`select[name$=".level"] option[value="${level}"]`)?.textContent ?? level;
    const missing = (answer.outstanding ?? []).map((medium) => `${medium.medium} : un effacement réussi au niveau « ${levelWords(medium.neededLevel)} », enregistré depuis son arrivée, est encore nécessaire`);
    if (ok && answer.wiped === false && missing.length > 0) {
      say(`${operation.label} : enregistré, mais ${missing.join(' ; ')}`, false);
    } else if (ok) {
      say(`${operation.label} : fait (${operation.code}).`);
    }
    if (ok) {
      cards.delete(operation.code);
      if (operation.code === current) void open(operation.code);
      return;
    }
    say(`${operation.label} : ${answer.detail ?? 'refusé'}`, false);
    if (operation.code === current) setBusy(false);
    // The form that sent it: several share an API path (the transitions, the wipe form and a log's records).
    const form = (operation.form && card.querySelector(`form.api-form[data-testid="${operation.form}"], form.api-form[data-action="${operation.form}"]`)) || card.querySelector(`form[data-api-path="${operation.path}"]`);
    for (const error of answer.errors ?? []) {
      const field = form?.querySelector(`[name="${CSS.escape(error.path)}"]`);
      if (!field) continue;
      field.setAttribute('aria-invalid', 'true');
      const message = document.createElement('p');
      message.className = 'error';
      message.textContent = error.message;
      field.insertAdjacentElement('afterend', message);
    }
  }

  // ---- the device card
  async function open(code) {
    current = code;
    if (navigator.onLine) {
      try {
        const response = await fetch(`/scan/card?code=${encodeURIComponent(code)}`, { credentials: 'same-origin' });
        const html = await response.text();
        if (response.ok) cards.set(code, html);
        return show(html);
      } catch {
        // the network dropped between two scans: fall through to what this browser kept
      }
    }
    if (cards.has(code)) {
      say('Hors ligne : fiche telle qu’au dernier scan ; les actions seront envoyées au retour du réseau.', false);
      return show(cards.get(code));
    }
    // Never scanned here: the scan is kept, and its card opens when the network returns.
    const waiting = loadScans();
    if (!waiting.includes(code)) saveScans([...waiting, code]);
    say(`Hors ligne : ${code} est gardé ; sa fiche s’ouvrira au retour du réseau.`, false);
  }

  // While an action on the card is on its way, its buttons wait: a second click would act on a
  // card about to be replaced by the device's new state.
  function setBusy(busy) {
    card.setAttribute('aria-busy', String(busy));
    for (const button of card.querySelectorAll('button')) button.disabled = busy;
  }

  function show(html) {
    card.innerHTML = html;
    card.setAttribute('aria-busy', 'false');
    // Times default to the bench's clock; left as they are, they are sent as the moment the form is
    // sent, to the millisecond (a minute's precision could put a wipe before the device's arrival).
    const now = new Date(Date.now() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    for (const field of card.querySelectorAll('input[type="datetime-local"]')) {
      field.value ||= now;
      field.dataset.prefilled = field.value;
    }
    for (const form of card.querySelectorAll('form.api-form')) form.addEventListener('submit', submit);
    for (const form of card.querySelectorAll('form.nwipe-log-form')) form.addEventListener('submit', readLog);
  }

  // An nwipe or ShredOS log is read by the server into records to confirm: reading records nothing,
  // so it needs the network and is not queued; confirming is an action like the others.
  async function readLog(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const answer = card.querySelector('#nwipe-proposal');
    const data = new FormData(form);
    data.append('_csrf', csrf);
    data.append('timeZone', Intl.DateTimeFormat().resolvedOptions().timeZone ?? '');
    let response;
    try {
      response = await fetch(form.dataset.path, { method: 'POST', body: data, credentials: 'same-origin', signal: AbortSignal.timeout(30_000) });
    } catch {
      return say('Hors ligne : le journal pourra être lu au retour du réseau.', false);
    }
    answer.innerHTML = await response.text();
    for (const proposal of answer.querySelectorAll('form.api-form')) proposal.addEventListener('submit', submit);
  }

  /** The JSON body of a form: field names are paths (records.0.level), numbers, amounts and dates converted. */
  function bodyOf(form) {
    const body = JSON.parse(form.dataset.apiExtra ?? '{}');
    for (const field of form.querySelectorAll('[name]')) {
      if (field.value === '' && field.type !== 'checkbox') continue;
      let value = field.type === 'checkbox' ? field.checked : field.value;
      if (field.type === 'number' || field.hasAttribute('data-number')) value = Number(value);
      // An amount typed in euros (12,50) goes to the API in cents.
      if (field.hasAttribute('data-euros')) value = Math.round(Number(value.replace(/\s/g, '').replace(',', '.')) * 100);
      if (field.type === 'datetime-local') value = (value === field.dataset.prefilled ? new Date() : new Date(value)).toISOString();
      const path = field.name.split('.');
      let target = body;
      path.slice(0, -1).forEach((step, index) => {
        target[step] ??= /^\d+$/.test(path[index + 1]) ? [] : {};
        target = target[step];
      });
      target[path.at(-1)] = value;
    }
    return body;
  }

  function submit(event) {
    event.preventDefault();
    const form = event.currentTarget;
    for (const stale of form.querySelectorAll('.error')) stale.remove();
    const label = form.querySelector('button[type="submit"]')?.textContent.trim() ?? 'Action';
    setBusy(true);
    enqueue({ method: form.dataset.apiMethod, path: form.dataset.apiPath, body: bodyOf(form), code: current, label, form: form.dataset.testid ?? form.dataset.action });
    if (!navigator.onLine) say(`${label} : en attente du réseau.`, false);
  }

  // ---- scanning: the input (keyboard-wedge scanners), the camera, the batch
  function scanned(text) {
    const link = text.match(/\/d\/([^/?#\s]+)/);
    const code = normalise(link ? decodeURIComponent(link[1]) : text);
    if (!code) return;
    if (batchMode) return addToBatch(code);
    void open(code);
  }

  $('#scan-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = '';
    scanned(text);
    input.focus();
  });

  let stream = null;
  async function startCamera() {
    const video = $('#camera-video');
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    } catch {
      return say('La caméra n’est pas disponible (autorisation refusée ou pas de caméra).', false);
    }
    video.srcObject = stream;
    await video.play();
    $('#camera-view').hidden = false;
    const detector = 'BarcodeDetector' in window && (await BarcodeDetector.getSupportedFormats()).includes('qr_code') ? new BarcodeDetector({ formats: ['qr_code'] }) : null;
    const canvas = document.createElement('canvas');
    const look = async () => {
      if (!stream) return;
      let text = null;
      if (detector) {
        text = (await detector.detect(video).catch(() => []))[0]?.rawValue ?? null;
      } else if (video.videoWidth > 0 && window.jsQR) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        const context = canvas.getContext('2d', { willReadFrequently: true });
        context.drawImage(video, 0, 0);
        const frame = context.getImageData(0, 0, canvas.width, canvas.height);
        text = window.jsQR(frame.data, frame.width, frame.height, { inversionAttempts: 'dontInvert' })?.data ?? null;
      }
      if (text) {
        stopCamera();
        return scanned(text);
      }
      setTimeout(look, 150);
    };
    void look();
  }
  function stopCamera() {
    for (const track of stream?.getTracks() ?? []) track.stop();
    stream = null;
    $('#camera-view').hidden = true;
    input.focus();
  }
  $('#camera-start').addEventListener('click', () => void startCamera());
  $('#camera-stop').addEventListener('click', stopCamera);

  const batch = [];
  function addToBatch(code) {
    if (batch.includes(code)) return say(`${code} est déjà dans le lot.`, false);
    batch.push(code);
    const item = document.createElement('li');
    item.dataset.code = code;
    item.textContent = code;
    $('#batch-list').append(item);
    say(`${code} ajouté au lot (${batch.length}).`);
  }
  $('#batch-toggle').addEventListener('click', (event) => {
    batchMode = !batchMode;
    event.currentTarget.setAttribute('aria-pressed', String(batchMode));
    $('#batch').hidden = !batchMode;
    input.focus();
  });
  $('#batch-clear').addEventListener('click', () => {
    batch.length = 0;
    $('#batch-list').replaceChildren();
    $('#batch-report').replaceChildren();
    $('#batch-apply').disabled = true;
  });
  // Before applying: which devices can take the action now, and why the others cannot.
  $('#batch-check').addEventListener('click', async () => {
    const action = $('#batch-action').value;
    const report = $('#batch-report');
    report.replaceChildren();
    for (const code of batch) {
      const item = document.createElement('li');
      item.dataset.code = code;
      const outcome = document.createElement('span');
      outcome.className = 'outcome';
      try {
        const response = await fetch('/api/scan', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ code }), credentials: 'same-origin' });
        const answer = await response.json();
        const possible = response.ok && answer.type === 'device' && answer.actions.some((offered) => offered.to === action);
        item.dataset.outcome = possible ? 'ok' : 'refused';
        outcome.textContent = possible ? ' — possible' : ` — impossible : ${response.ok ? `l’équipement est « ${answer.device?.status ?? answer.type} »` : answer.detail}`;
      } catch {
        item.dataset.outcome = 'refused';
        outcome.textContent = ' — impossible de vérifier hors ligne';
      }
      item.prepend(code);
      item.append(outcome);
      report.append(item);
    }
    $('#batch-apply').disabled = !report.querySelector('[data-outcome="ok"]');
  });
  $('#batch-apply').addEventListener('click', () => {
    const action = $('#batch-action').value;
    const label = $('#batch-action').selectedOptions[0].textContent;
    for (const item of document.querySelectorAll('#batch-report [data-outcome="ok"]')) {
      enqueue({ method: 'POST', path: `/api/devices/${item.dataset.code}/transitions`, body: { to: action }, code: item.dataset.code, label, batch: true });
    }
    $('#batch-apply').disabled = true;
  });

  save(load());
  saveScans(loadScans());
  void flush();
  void resolveScans();
  input.focus();
})();
