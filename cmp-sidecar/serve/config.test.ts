import { SERVE_ENV_VARS, serveConfigFromEnv } from './config';

const described = (name: string) => SERVE_ENV_VARS.find((v) => v.name === name)?.default;

test('without variables every setting is the default the reference (manifests/README.md) documents', () => {
  const config = serveConfigFromEnv({});
  expect({
    EKS_OVERLAY_SOCKET: config.socket,
    EKS_OVERLAY_SERVE_CONCURRENCY: config.concurrency,
    EKS_OVERLAY_SERVE_QUEUE: config.queue,
    EKS_OVERLAY_SERVE_QUEUE_WAIT_MS: config.queueWaitMs,
    EKS_OVERLAY_SERVE_RENDER_HEAP_MB: config.renderHeapMb,
    EKS_OVERLAY_SERVE_MAX_RENDERS: config.maxRenders,
    EKS_OVERLAY_SERVE_MAX_RSS_MB: config.maxRssMb,
  }).toEqual({
    EKS_OVERLAY_SOCKET: described('EKS_OVERLAY_SOCKET'),
    EKS_OVERLAY_SERVE_CONCURRENCY: described('EKS_OVERLAY_SERVE_CONCURRENCY'),
    EKS_OVERLAY_SERVE_QUEUE: described('EKS_OVERLAY_SERVE_QUEUE'),
    EKS_OVERLAY_SERVE_QUEUE_WAIT_MS: described('EKS_OVERLAY_SERVE_QUEUE_WAIT_MS'),
    EKS_OVERLAY_SERVE_RENDER_HEAP_MB: described('EKS_OVERLAY_SERVE_RENDER_HEAP_MB'),
    EKS_OVERLAY_SERVE_MAX_RENDERS: described('EKS_OVERLAY_SERVE_MAX_RENDERS'),
    EKS_OVERLAY_SERVE_MAX_RSS_MB: described('EKS_OVERLAY_SERVE_MAX_RSS_MB'),
  });
});

test('a request waits up to 15 s for a worker by default (the README, Warm renderer, says why)', () => {
  expect(serveConfigFromEnv({}).queueWaitMs).toBe(15000);
});
