/**
 * vega-lite spec → SVG (vega's headless renderer, no canvas) → PNG (resvg).
 * The libraries are imported on first use: they cost ~1 s of start-up that
 * `wsae list`, `wsae theory` and --help should not pay.
 */

const FONT = "DejaVu Sans";

export async function renderSvg(spec: object): Promise<string> {
  const [vega, { compile }] = await Promise.all([import("vega"), import("vega-lite")]);
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

export async function svgToPng(svg: string, width = 1200): Promise<Uint8Array> {
  const { Resvg } = await import("@resvg/resvg-js");
  const r = new Resvg(svg, {
    fitTo: { mode: "width", value: width },
    background: "white",
    font: { loadSystemFonts: true, defaultFontFamily: FONT, sansSerifFamily: FONT },
  });
  return r.render().asPng();
}
