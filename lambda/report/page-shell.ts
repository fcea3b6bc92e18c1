import { escapeHtml as e } from './html-escape.ts';

// Colours chosen for at least 4.5:1 contrast on their backgrounds; every state is also spelled out.
// Long values wrap (overflow-wrap) and tables scroll inside their own box: the page itself never
// scrolls sideways, down to 360 px. Narrow screens show list tables as one card per row.
const STYLE = `
:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#fff;line-height:1.45}
body{margin:0 auto;max-width:72rem;padding:1rem;overflow-wrap:anywhere}
a{color:#0550ae}
h1{font-size:1.4rem;margin:.2rem 0 1rem}h2{font-size:1.15rem;margin:2rem 0 .6rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
h3{font-size:1rem;margin:1.2rem 0 .5rem}
nav.toc{font-size:.9rem;display:flex;flex-wrap:wrap;gap:.2rem 1rem}
.status,.pill{display:inline-block;padding:.25rem .7rem;border-radius:.4rem;font-weight:700;border:2px solid}
.pill{padding:.1rem .55rem;font-size:.9rem}
.ok{background:#dafbe1;color:#0a5c24;border-color:#1a7f37}.bad{background:#ffebe9;color:#8b1a10;border-color:#cf222e}
.muted{background:#f0f2f4;color:#3b4350;border-color:#6e7781}
.amber{background:#fff8c5;color:#4d2d00;border-color:#9a6700}.info{background:#ddf4ff;color:#0a3069;border-color:#0969da}
dl.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.3rem 1rem;margin:1rem 0}dl.facts dt{font-weight:600}
dl.facts dd{margin:0;overflow-wrap:anywhere}
.totals{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0;padding:0;list-style:none}
.totals li{flex:1 1 8rem;border:1px solid #d0d7de;border-radius:.5rem;padding:.6rem .8rem}
.totals .n{display:block;font-size:1.8rem;font-weight:700}.totals .errors .n{color:#a40e26}.totals .warnings .n{color:#7d4e00}
.totals .changed .n{color:#7d4e00}.totals .created .n{color:#0a5c24}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{border:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
table{overflow-wrap:normal}th{background:#f6f8fa}td{unicode-bidi:plaintext}td.msg{overflow-wrap:anywhere;min-width:12rem}
td.num,th.num{text-align:right}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem}
pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:.2rem 0 0;max-height:12rem;overflow:auto;unicode-bidi:plaintext}
.more,.note{font-style:italic;color:#3b4350}.note{font-size:.85rem;margin:.3rem 0 0}footer{margin-top:2rem;font-size:.85rem;color:#3b4350}
.warn{border:2px solid #9a6700;background:#fff8c5;color:#4d2d00;border-radius:.4rem;padding:.6rem .8rem;margin:1rem 0}
.legend{font-size:.88rem;color:#3b4350}
.kind{display:inline-block;padding:.05rem .5rem;border-radius:1rem;border:1px solid;font-size:.78rem;font-weight:700;letter-spacing:.03em}
.obj{border:1px solid #d0d7de;border-radius:.5rem;padding:.6rem .8rem;margin:0 0 .75rem}
.obj h3{display:flex;flex-wrap:wrap;align-items:baseline;gap:.2rem .6rem;margin:0}
.obj .otype{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem;color:#3b4350}
.obj .oid{font-size:.85rem;font-weight:400;color:#3b4350}
table.fields{table-layout:fixed;margin-top:.6rem}table.fields td{overflow-wrap:anywhere}table.fields col.path{width:24%}
.obj pre{max-height:24rem}td.before pre{background:#fff5f5;border-left:3px solid #cf222e;padding:.2rem .4rem}
td.after pre{background:#f2fcf4;border-left:3px solid #1a7f37;padding:.2rem .4rem}
.absent{font-style:italic;color:#3b4350}
@media (max-width:40rem){
  table.list thead{position:absolute;left:-9999px}table.list,table.list tbody,table.list tr,table.list td{display:block;width:auto}
  table.list tr{border:1px solid #d0d7de;margin:0 0 .6rem}table.list td{border:0;border-bottom:1px solid #eaeef2}
  table.list td::before{content:attr(data-label);display:block;font-size:.78rem;font-weight:600;color:#3b4350}table.list td.msg{min-width:0}
  .obj{padding:.5rem}
}
@media print{body{max-width:none;padding:0}.scroll{overflow:visible}pre{max-height:none}a{color:inherit}}
`;

/** One self-contained HTML page: no scripts, no external resources, a CSP that allows neither. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${e(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
