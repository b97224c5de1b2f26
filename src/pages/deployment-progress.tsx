import type { FC } from 'hono/jsx';
import { deploymentStatuses, type DeploymentStatus } from '../connectivity/deployments.lifecycle.ts';
import { deploymentStatusLabels } from './fr.ts';

const steps = deploymentStatuses.filter((status) => status !== 'suspended');

/** Where a building's rollout stands: its step out of the steps, as a bar and in words. */
export const DeploymentProgress: FC<{ status: DeploymentStatus; building: string }> = ({ status, building }) => {
  const step = steps.indexOf(status as (typeof steps)[number]) + 1;
  if (step === 0) return <span class="status">{deploymentStatusLabels[status]}</span>;
  return (
    <>
      <progress class="progress" max={steps.length} value={step} aria-label={`Avancement du déploiement, ${building}`}>
        {step} sur {steps.length}
      </progress>
      <br />
      Étape {step} sur {steps.length} : {deploymentStatusLabels[status]}
    </>
  );
};
