#!/bin/sh
# The eks-overlay sidecar's entrypoint, run by tini as PID 1 (`tini -g`: it reaps every process and passes
# signals to the whole process group). Keeps the warm render server, `eks-overlay serve`, running in a restart
# loop (it exits by design after EKS_OVERLAY_SERVE_MAX_RENDERS renders or EKS_OVERLAY_SERVE_MAX_RSS_MB, and
# eks-overlay-client renders with the plain CLI while it is away), then becomes argocd-cmp-server (the arguments,
# by default Argo CD's binary from the shared var-files volume). Nothing else starts, restarts or reaps the server.
set -u
(
  while :; do
    eks-overlay serve
    sleep 1
  done
) &
[ "$#" -gt 0 ] || set -- /var/run/argocd/argocd-cmp-server
exec "$@"
