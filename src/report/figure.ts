/** vega-lite spec → SVG (vega's headless renderer, no canvas) → PNG (resvg). */
import * as vega from "vega";
import { compile } from "vega-lite";
import { Resvg } from "@resvg/resvg-js";

const FONT = "DejaVu Sans";

export async function renderSvg(spec: object): Promise<string> {
  const withFont = {
    ...spec,
    config: {
      font: FONT,
      background: "white",
      ...((spec as { config?: object }).config ?? {}),
    },
  };
  const vg = compile(withFont as never).spec;
  const view = new vega.View(vega.parse(vg), { renderer: "none" });
  try {
    return await view.toSVG(2);
  } finally {
    view.finalize();
  }
}

export function svgToPng(svg: string, width = 1200): Uint8Array {
  const r = new Resvg(svg, {
    fitTo: { mode: "width", value: width },
    background: "white",
    font: { loadSystemFonts: true, defaultFontFamily: FONT, sansSerifFamily: FONT },
  });
  return r.render().asPng();
}
