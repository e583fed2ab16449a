// The one small helper the pages build their DOM with (no framework):
//   h('a', {class: 'button', href, testid: 'verdict', on: {click}}, 'text', child, [more])
// Text is always set as text (never parsed as HTML). `svg` makes SVG elements.

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * @param {string} tag
 * @param {Record<string, any> | null} [props]
 * @param {...any} children strings, nodes, arrays of them, null/undefined/false (skipped)
 * @returns {HTMLElement}
 */
export function h(tag, props, ...children) {
  return build(document.createElement(tag), props, children);
}

/** @param {string} tag @param {Record<string, any> | null} [props] @param {...any} children */
export function svg(tag, props, ...children) {
  return build(document.createElementNS(SVG_NS, tag), props, children);
}

function build(element, props, children) {
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    else if (name === 'testid') element.setAttribute('data-testid', value);
    else if (name === 'on') for (const [event, handler] of Object.entries(value)) element.addEventListener(event, handler);
    else if (name === 'dataset') for (const [key, v] of Object.entries(value)) element.dataset[key] = String(v);
    else if (name === 'value' || name === 'checked') element[name] = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces the children of `element`. @param {Element} element @param {...any} children */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
}
