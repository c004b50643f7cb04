import { PAGE_SCRIPT_HASH } from './page/pageScript.generated.js';

/**
 * The status page's only style (and the hash of its only script), inlined (no CDN, no framework: the page must
 * work on a machine without internet). Small screens first; wide tables and maps scroll
 * sideways inside their own box instead of widening the page.
 */
export const PAGE_CSS = `
:root{--blue:#1f77b4;--orange:#ff7f0e;--ok:#1a7f37;--warn:#9a6700;--bad:#b42318;--line:#d0d7de;--muted:#57606a;--bg:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1f2328;background:var(--bg)}
header.top,main{max-width:1280px;margin:0 auto;padding:0 12px}
h1{font-size:1.35rem;margin:12px 0 2px}h1 .node{color:var(--muted);font-weight:normal}
h2{font-size:1.2rem;margin:20px 0 8px;word-break:break-all}
h3{font-size:1.05rem;margin:0 0 6px}h4{font-size:.95rem;margin:12px 0 4px}
.updated,.nodes{margin:2px 0;color:var(--muted);font-size:.9rem}
.banner{background:#fff8c5;border:1px solid #d4a72c;padding:8px;border-radius:6px}
.scrollx{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}
table{border-collapse:collapse;font-variant-numeric:tabular-nums;background:#fff}
th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
th{font-size:.85rem;color:var(--muted);font-weight:600}
td.num,th.num{text-align:right}
caption{text-align:left;font-size:.85rem;color:var(--muted);padding:4px 0}
table.overview{margin:12px 0;min-width:100%}
table.overview td:first-child{white-space:normal;overflow-wrap:anywhere;min-width:7em}
tr.ok td:first-child{border-left:4px solid var(--ok)}tr.warn td:first-child{border-left:4px solid var(--warn)}tr.bad td:first-child{border-left:4px solid var(--bad)}tr.wait td:first-child{border-left:4px solid var(--line)}
td.state{white-space:normal;min-width:4em}td.state .reason{font-size:.85rem}
.cards{display:grid;gap:12px}
article.quality{background:#fff;border:1px solid var(--line);border-left:4px solid var(--line);border-radius:8px;padding:12px;min-width:0}
article.quality.ok{border-left-color:var(--ok)}article.quality.warn{border-left-color:var(--warn)}article.quality.bad{border-left-color:var(--bad)}
article.quality>h3{display:inline-block;margin:0 10px 6px 0}
.badge{display:inline-block;font-size:.8rem;font-weight:600;padding:0 8px;border:1px solid;border-radius:10px;vertical-align:1px}
.badge.ok{color:var(--ok);background:#dafbe1}.badge.warn{color:#7d4e00;background:#fff8c5}.badge.bad{color:var(--bad);background:#ffebe9}.badge.wait{color:var(--muted);background:#eaeef2;font-weight:normal}
.banner.windowmiss{background:#ffebe9;border-color:var(--bad);margin:4px 0 8px}
dl.facts{display:flex;flex-wrap:wrap;gap:4px 24px;margin:0 0 8px}
dl.facts div{min-width:0}dt{font-size:.8rem;color:var(--muted)}dd{margin:0}
dd.ok{color:var(--ok)}dd.warn{color:var(--warn)}dd.bad{color:var(--bad)}dd.wait{color:var(--muted)}dd small{color:var(--muted)}
.pct{font-size:1.3rem}
.noholes,.nomap{color:var(--muted);margin:4px 0}
figure{margin:8px 0 0}
.mapwrap{display:flex;align-items:flex-start}
.yaxis{position:relative;flex:none;width:52px;margin-top:36px;font-size:.7rem;color:var(--muted)}
.yaxis span{position:absolute;right:4px;transform:translateY(-50%);white-space:nowrap}
.mapscroll{flex:1 1 auto;min-width:0}
.plot{position:relative}
.days,.hours{position:relative;height:18px;font-size:.72rem;color:var(--muted)}
.days span{position:absolute;top:0;overflow:hidden;white-space:nowrap;border-left:1px solid #8c959f;padding-left:2px}
.hours span{position:absolute;top:0;border-left:1px solid #8c959f;padding-left:2px;white-space:nowrap}
.canvas{position:relative;outline:1px solid #8c959f;background:#fff}
.canvas img{display:block;image-rendering:pixelated;image-rendering:crisp-edges}
.grid{position:absolute;inset:0;pointer-events:none;background-image:linear-gradient(to right,rgba(0,0,0,.28) 1px,transparent 1px)}
figcaption{font-size:.8rem;color:var(--muted);margin-top:4px}
ul.legend{display:inline-flex;flex-wrap:wrap;gap:2px 14px;list-style:none;margin:2px 0 0;padding:0}
.sw{display:inline-block;width:12px;height:12px;border:1px solid #8c959f;vertical-align:-2px;margin-right:4px}
.sw.blue{background:var(--blue)}.sw.orange{background:var(--orange)}.sw.white{background:#fff}.sw.future{background:#c4cad1}.sw.down{background:#eaeef2}
.live{font-size:.8rem;padding:0 6px;border-radius:8px;background:var(--line)}.live.on{background:#dafbe1;color:var(--ok)}.live.off,.live.static{background:#fff8c5;color:#7d4e00}
.nodes .state.down{color:var(--bad)}.nodes .state.up{color:var(--ok)}
.stripwrap{display:flex;align-items:flex-start}
.striplabels{flex:none;width:150px;padding-top:30px;font-size:.75rem}
.striplabel{height:18px;margin-bottom:4px;display:flex;gap:6px;align-items:center;overflow:hidden;white-space:nowrap}
.striplabel .name{flex:none;font-weight:600;overflow:hidden;text-overflow:ellipsis;max-width:90px}.striplabel .st{color:var(--muted);overflow:hidden;text-overflow:ellipsis}
.nothing{color:var(--bad)}a.docs{font-weight:600;text-decoration:none;border:1px solid var(--line);border-radius:50%;padding:0 5px;font-size:.75rem}
.striplabel.down .st{color:var(--bad);font-weight:600}.striplabel.fleetrow .name{color:#8250df}
.stripscroll{flex:1 1 auto;min-width:0}canvas.strips{display:block;cursor:pointer}
.selhour{font-size:.8rem;margin:2px 0;min-height:1em}
td.peers{white-space:normal}td.peers.none{color:var(--bad)}
.pager,.holeorder{font-size:.85rem;margin:4px 0}.pager button,.holeorder button{font:inherit;padding:2px 8px}
.holeorder button[aria-pressed=true]{font-weight:600;background:#ddf4ff;border:1px solid #0969da;border-radius:4px}
.longest h4{margin:8px 0 2px}.longest ol{margin:0 0 6px;padding-left:1.6em;font-variant-numeric:tabular-nums}.longest .held.none{color:var(--bad)}
.days span:first-child{overflow:visible}
.incidentlist .inchead,.incidentlist .noinc,.incidentlist .more{margin:4px 0;font-size:.9rem}.incidentlist .noinc{color:var(--muted)}
ol.incidents{margin:0 0 6px;padding-left:1.6em;font-variant-numeric:tabular-nums}ol.incidents small{color:var(--muted)}
.incident .held.none,.incident .lost{color:var(--bad)}.incident.filled .fill,.incident.filled_while_down .fill{color:var(--ok)}
.notyet{position:absolute;pointer-events:none;background:#c4cad1}
@media (min-width:900px){.cards{grid-template-columns:repeat(auto-fit,minmax(560px,1fr))}}
@media (max-width:520px){.striplabels{width:96px}.striplabel .name{max-width:60px}header.top,main{padding:0 8px}article.quality{padding:8px}th,td{padding:4px 5px}table.holes,table.overview{font-size:.88rem}.wide{display:none}}
`;

/** `'sha256-…'` of the inline script, for a Content-Security-Policy that allows only it (computed by the build). */
export function scriptHash(): string {
  return PAGE_SCRIPT_HASH;
}
