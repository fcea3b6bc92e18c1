// Reads a report as a browser would (parse5, the WHATWG parser) and collects every parse error, so
// a test can ask for a page that is not only readable but valid.
import { type DefaultTreeAdapterMap, parse } from 'parse5';

export type Node = DefaultTreeAdapterMap['node'];
export type Element = DefaultTreeAdapterMap['element'];

export function parseStrict(html: string): { doc: DefaultTreeAdapterMap['document']; errors: string[] } {
  const errors: string[] = [];
  const doc = parse(html, { onParseError: (e) => errors.push(`${e.code} at ${e.startLine}:${e.startCol}`) });
  return { doc, errors };
}

export function elements(node: Node, tag?: string, out: Element[] = []): Element[] {
  const stack: Node[] = [node];
  // Iterative: the tests feed deep pages, and the helper must not be the thing that overflows.
  while (stack.length > 0) {
    const current = stack.pop()!;
    if ('tagName' in current && (!tag || current.tagName === tag)) out.push(current);
    const children = 'childNodes' in current ? current.childNodes : [];
    for (let i = children.length - 1; i >= 0; i -= 1) stack.push(children[i]!);
    if ('content' in current && current.content) stack.push(current.content as Node);
  }
  return out;
}

export function text(node: Node): string {
  const parts: string[] = [];
  const stack: Node[] = [node];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (current.nodeName === '#text') parts.push((current as DefaultTreeAdapterMap['textNode']).value);
    const children = 'childNodes' in current ? current.childNodes : [];
    for (let i = children.length - 1; i >= 0; i -= 1) stack.push(children[i]!);
  }
  return parts.join('');
}

export function attr(element: Element, name: string): string | undefined {
  return element.attrs.find((a) => a.name === name)?.value;
}
