import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * Validates a Grafana dashboard JSON model against the schema shipped in
 * @grafana/grafana-foundation-sdk. The SDK ships that schema as TypeScript
 * types generated (by cog) from Grafana's CUE schemas, not as JSON Schema,
 * so the JSON is written as object literals typed with those types and
 * type-checked: excess-property checks catch unknown keys, enums catch wrong
 * values, required fields must be there. Panel `options`, `fieldConfig.custom`
 * and Prometheus targets are typed `any`/opaque on the dashboard type, so each
 * is checked against its own plugin's types.
 *
 * Returns the compiler's diagnostics, one string each (empty: valid).
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// Inside packages/ops so that module resolution finds the SDK where the package does.
const VIRTUAL_FILE = join(root, 'packages', 'ops', 'test', '__dashboard-schema-check__.ts');

/** Panel types this check knows, with the SDK module and whether it has a FieldConfig type. */
const PANEL_MODULES: Record<string, { module: string; fieldConfig: boolean }> = {
  timeseries: { module: 'timeseries', fieldConfig: true },
  heatmap: { module: 'heatmap', fieldConfig: true },
  stat: { module: 'stat', fieldConfig: false },
  table: { module: 'table', fieldConfig: true },
};

// JSON cannot hold a TypeScript string enum member, only its value: map each
// enum to the union of its values (`${Enum}`), and drop the marker methods
// cog puts on query variants (`_implementsDataqueryVariant`).
const JSON_TYPE = `
type Fn = (...args: any[]) => any;
type Json<T> = 0 extends 1 & T ? any
  : T extends Fn ? never
  : T extends string ? \`\${T}\`
  : T extends readonly (infer U)[] ? Json<U>[]
  : T extends object ? { [K in keyof T as T[K] extends Fn ? never : K]: Json<T[K]> }
  : T;
`;

interface PanelJson {
  type: string;
  options?: unknown;
  fieldConfig?: { defaults?: { custom?: unknown } };
  targets?: unknown[];
}

export function dashboardSchemaErrors(dashboard: unknown): string[] {
  const panels = ((dashboard as { panels?: PanelJson[] }).panels ?? []);
  const lines = [
    "import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';",
    "import type * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';",
    ...Object.values(PANEL_MODULES).map(({ module }) => `import type * as ${module} from '@grafana/grafana-foundation-sdk/${module}';`),
    JSON_TYPE,
    `export const dashboard: Json<Dashboard> = ${JSON.stringify(dashboard)};`,
  ];
  const errors: string[] = [];
  panels.forEach((panel, i) => {
    if (panel.type === 'row') return;
    const plugin = PANEL_MODULES[panel.type];
    if (plugin === undefined) {
      errors.push(`panel ${i}: type ${JSON.stringify(panel.type)} has no schema in this check`);
      return;
    }
    lines.push(`export const panel${i}Options: Json<${plugin.module}.Options> = ${JSON.stringify(panel.options ?? {})};`);
    const custom = panel.fieldConfig?.defaults?.custom;
    if (plugin.fieldConfig) lines.push(`export const panel${i}Custom: Json<${plugin.module}.FieldConfig> = ${JSON.stringify(custom ?? {})};`);
    else if (custom !== undefined && Object.keys(custom as object).length > 0) errors.push(`panel ${i} (${panel.type}): fieldConfig.defaults.custom given, but the plugin has none`);
    (panel.targets ?? []).forEach((target, j) => lines.push(`export const panel${i}Target${j}: Json<prometheus.Dataquery> = ${JSON.stringify(target)};`));
  });
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) =>
    fileName === VIRTUAL_FILE ? ts.createSourceFile(fileName, source, languageVersion, true) : getSourceFile(fileName, languageVersion, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => fileName === VIRTUAL_FILE || fileExists(fileName);
  const program = ts.createProgram([VIRTUAL_FILE], options, host);
  const diagnostics = ts.getPreEmitDiagnostics(program);
  return [
    ...errors,
    ...diagnostics.map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      if (d.file && d.start !== undefined) {
        const { line } = d.file.getLineAndCharacterOfPosition(d.start);
        const declaration = d.file.text.split('\n')[line]?.slice(0, 60) ?? '';
        return `${declaration}...: ${message}`;
      }
      return message;
    }),
  ];
}
