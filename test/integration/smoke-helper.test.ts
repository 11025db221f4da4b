import { loadExampleFleet, startGenerator } from '../helpers/generator';

test('startGenerator serves the example fleet', async () => {
  const g = await startGenerator({ records: loadExampleFleet() });
  try {
    const res = await fetch(`${g.url}/api/v1/getparams.execute`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${g.token}`, 'Content-Type': 'application/json' },
      body: '{"applicationSetName":"x","input":{}}\n',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { output: { parameters: { name: string }[] } };
    expect(body.output.parameters.map((p) => p.name)).toContain('tooling-euw1');
  } finally {
    await g.close();
  }
});
