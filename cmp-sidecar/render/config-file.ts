/** The file Argo CD discovers the plugin by (plugin.yaml `discover.fileName`) and that configures a render. */
export const CONFIG_FILE = 'eks-overlay.yaml';
