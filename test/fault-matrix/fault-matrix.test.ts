/**
 * The fault matrix (issue #9): one table of faults × components, each row driving the real component against the
 * project's fakes and comparing what it did with what Argo CD's operator is promised:
 *
 *  - generator: never a 200 with fewer clusters than the last good set; a 503 {"message"} before the first
 *    successful listing and past EKS_MAX_STALE_SECONDS; otherwise a 200 with the whole last good set;
 *  - registrar: never deletes a cluster Secret because of a fault, never touches a Secret it does not own,
 *    reports the failure and finishes the job once the fault clears;
 *  - inline secrets (eks-overlay CLI): non-zero exit, empty stdout, stderr naming file:line, secret id and key,
 *    never a value.
 *
 * The markdown summary (component | fault | expected | observed | ok) is printed after the run.
 */
import { awsRows } from './aws-rows';
import { kubeRows } from './kube-rows';
import type { MatrixResult, MatrixRow } from './matrix';
import { markdownTable } from './matrix';
import { removeCliBundle, secretsRows } from './secrets-rows';

const ROWS: MatrixRow[] = [...awsRows, ...kubeRows, ...secretsRows];
const results: MatrixResult[] = [];

afterAll(async () => {
  await removeCliBundle();
  if (results.length > 0) process.stdout.write(`\nFault matrix\n\n${markdownTable(results)}\n`);
});

test.each(ROWS.map((row) => [`${row.component} × ${row.fault}`, row] as const))(
  '%s',
  async (_title, row) => {
    let observed: string;
    try {
      observed = await row.observe();
    } catch (e) {
      observed = `probe failed: ${e instanceof Error ? e.message : String(e)}`;
    }
    results.push({
      component: row.component,
      fault: row.fault,
      expected: row.expected,
      observed,
      ok: observed === row.expected,
    });
    expect(observed).toBe(row.expected);
  },
  60_000,
);
