/** The table of `src/schema/kubernetes-fields.json`, as kubernetes-models declares it now. */
export function kubernetesFieldTable(): {
  version: string;
  kinds: Record<string, number>;
  names: string[];
  types: Record<string, string>[];
};
/** Where the table is committed. */
export const tableFile: string;
