/** A child for `el`: an element, text, or nothing (skipped). */
export type Kid = Node | string | null | undefined;

/**
 * Builds an element: `text` sets its text, `cls` its class, any other key an attribute,
 * in the order given. Data only ever reaches the page as text, never as HTML.
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Readonly<Record<string, string>> | null,
  kids?: readonly Kid[],
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'text') e.textContent = v;
      else if (k === 'cls') e.className = v;
      else e.setAttribute(k, v);
    }
  }
  if (kids) {
    for (const c of kids) if (c !== null && c !== undefined) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return e;
}

/** Appends text to an element. */
export function addText(parent: Node, text: string): void {
  parent.appendChild(document.createTextNode(text));
}

/** An element of the page's frame (the server writes it: a missing one is a bug). */
export function byId(id: string): HTMLElement {
  const e = document.getElementById(id);
  if (e === null) throw new Error(`segcov page: no #${id} in the page`);
  return e;
}
