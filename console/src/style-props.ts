// Inline positions through the CSSOM. The console's CSP has `style-src 'self'` (no
// 'unsafe-inline'), which blocks a `style` attribute, and lit-html's styleMap writes one on
// its first render: the first tooltip landed at left 0 and Chrome logged a violation (#23).
// Setting properties on `element.style` is not an inline style sheet, so the CSP allows it.
import { noChange } from "lit-html";
import { Directive, PartType, directive, type ElementPart, type PartInfo } from "lit-html/directive.js";

type Props = Readonly<Record<string, string>>;

class StyleProps extends Directive {
  private readonly names = new Set<string>();

  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ELEMENT) throw new Error("styleProps goes in an element's tag: <div ${styleProps(…)}>");
  }

  render(_props: Props): typeof noChange {
    return noChange;
  }

  override update(part: ElementPart, [props]: [Props]): typeof noChange {
    const style = (part.element as HTMLElement | SVGElement).style;
    for (const name of this.names) {
      if (!(name in props)) {
        style.removeProperty(name);
        this.names.delete(name);
      }
    }
    for (const [name, value] of Object.entries(props)) {
      style.setProperty(name, value);
      this.names.add(name);
    }
    return noChange;
  }
}

/** `<div ${styleProps({ left: "12px" })}>`: sets (and later removes) these properties with setProperty. */
export const styleProps = directive(StyleProps);
