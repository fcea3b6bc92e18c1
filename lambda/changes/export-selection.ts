// The body of `POST .../sp-config/export` that exports exactly the objects an import touched: the
// after-state (docs/changes.md). Shape: `ExportPayload` of the sp-config spec.

import type { ObjectRef } from '../domain/summary.ts';
import { hasId } from './touched-index.ts';

export interface ObjectSelection {
  readonly includedIds: readonly string[];
  readonly includedNames: readonly string[];
}

/** `ExportPayload`: includeTypes takes precedence over excludeTypes, which stays empty. */
export interface ExportPayload {
  readonly description: string;
  readonly excludeTypes: readonly string[];
  readonly includeTypes: readonly string[];
  readonly objectOptions: Readonly<Record<string, ObjectSelection>>;
}

/**
 * Selects each touched object by id, or by name where the results give no id. A type is included
 * only with at least one id or name: a type in `includeTypes` without `objectOptions` would export
 * every object of that type. Undefined when there is nothing to select.
 */
export function exportSelection(touched: readonly ObjectRef[], description: string): ExportPayload | undefined {
  const byType = new Map<string, { ids: Map<string, string>; names: Set<string> }>();
  for (const ref of touched) {
    if (ref.type === '' || (!hasId(ref) && ref.name === '')) continue;
    const selection = byType.get(ref.type) ?? { ids: new Map<string, string>(), names: new Set<string>() };
    byType.set(ref.type, selection);
    // Ids differing only in case name one object (see touched-index.ts): ask for it once.
    if (hasId(ref)) {
      if (!selection.ids.has(ref.id.toLowerCase())) selection.ids.set(ref.id.toLowerCase(), ref.id);
    } else selection.names.add(ref.name);
  }
  if (byType.size === 0) return undefined;
  const includeTypes = [...byType.keys()].sort();
  const objectOptions = Object.fromEntries(
    includeTypes.map((type) => {
      const selection = byType.get(type)!;
      return [type, { includedIds: [...selection.ids.values()].sort(), includedNames: [...selection.names].sort() }];
    }),
  );
  return { description, excludeTypes: [], includeTypes, objectOptions };
}
