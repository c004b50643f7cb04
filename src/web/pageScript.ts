/**
 * The status page's one script (inlined, allowed by its hash in the CSP). It draws the
 * page from the embedded JSON and from every `fleet` event of `api/v1/events`, keeping
 * what the reader did (scroll positions, the selected hour, the holes page) across
 * redraws. Text from the data only ever goes into `textContent`, never into HTML.
 * Ages are computed here from timestamps, once a second, from the browser's clock.
 */
export const PAGE_SCRIPT = String.raw`
(function(){
'use strict';
var HOUR=3600e6, MIN_HOUR_PX=48, MAX_W=16000, ROW_H=18, ROW_GAP=4, TOP=30, PAGE=20;
var COLORS={blue:'#1f77b4',orange:'#ff7f0e',hole:'#ffffff',future:'#c4cad1',down:'#eaeef2',grid:'rgba(0,0,0,.18)',day:'rgba(0,0,0,.55)',text:'#57606a',sel:'#8250df'};
var data=JSON.parse(document.getElementById('segcov-data').textContent);
var receivedAt=Date.now();
var app=document.getElementById('app');
var ui={};
var sections={};

function pad(n,w){n=String(n);while(n.length<(w||2))n='0'+n;return n;}
function utc(us){
  var s=Math.floor(us/1e6), f=us-s*1e6, iso=new Date(s*1000).toISOString();
  var frac=f>0?('.'+pad(f,6)).replace(/0+$/,''):'';
  return iso.slice(0,10)+' '+iso.slice(11,19)+frac;
}
function dur(us){
  var neg=us<0, a=Math.abs(us);
  if(a<60e6){return (neg?'-':'')+(Math.round(a/1000)/1000).toFixed(3).replace(/\.?0+$/,'')+' s';}
  var s=Math.round(a/1e6), h=Math.floor(s/3600), m=Math.floor((s%3600)/60), sec=s%60;
  return (neg?'-':'')+(h>0?h+' h '+pad(m)+' min '+pad(sec)+' s':m+' min '+pad(sec)+' s');
}
function pct(p){if(p===null)return '–';if(p>=100)return '100 %';return (Math.floor(p*100)/100).toFixed(2)+' %';}
function ago(us){var d=Date.now()*1000-us;return d<0?'in '+dur(-d):dur(d)+' ago';}
/** The daemon's "now": its clock when it sent the data plus the time since (a snapshot stays at its time). */
function serverNow(){return data.static?data.generated_at:data.generated_at+(Date.now()-receivedAt)*1000;}
function el(tag,attrs,kids){
  var e=document.createElement(tag);
  if(attrs)for(var k in attrs){if(k==='text')e.textContent=attrs[k];else if(k==='cls')e.className=attrs[k];else e.setAttribute(k,attrs[k]);}
  if(kids)kids.forEach(function(c){if(c!==null&&c!==undefined)e.appendChild(typeof c==='string'?document.createTextNode(c):c);});
  return e;
}
function keyOf(q){return q.channel+'\u0000'+q.quality;}
function overlap(spans,a,b){var s=0;spans.forEach(function(p){var x=Math.max(p[0],a),y=Math.min(p[1],b);if(y>x)s+=y-x;});return s;}

function renderNodes(){
  var p=document.getElementById('nodes');p.textContent='';
  if(data.peers.length===0)return;
  p.appendChild(document.createTextNode('Nodes: '));
  p.appendChild(el('b',{text:data.node}));p.appendChild(document.createTextNode(' (this page)'));
  data.peers.forEach(function(n){
    p.appendChild(document.createTextNode(', '));
    p.appendChild(/^https?:\/\//i.test(n.url)?el('a',{href:n.url,text:n.node}):el('span',{text:n.node}));
    p.appendChild(el('span',{cls:'state '+n.state,text:' '+n.state+(n.state==='down'&&n.error?' ('+n.error+')':'')}));
  });
}

function renderOverview(){
  var t=document.getElementById('overview');
  if(!t){t=el('div',{cls:'scrollx',id:'overview'});app.insertBefore(t,app.firstChild);}
  t.textContent='';
  var tb=el('tbody');
  data.qualities.forEach(function(q,i){
    var stale=q.newest_end===null||serverNow()-q.newest_end>data.stale_after_us;
    var cls=!q.scanned?'wait':(q.hole_count>0||q.nothing_recorded||stale?'bad':'ok');
    tb.appendChild(el('tr',{cls:cls},[
      el('td',null,[el('a',{href:'#q-'+i,text:q.channel})]),el('td',{text:q.quality}),
      el('td',{cls:'num',text:pct(q.coverage_pct)}),el('td',{cls:'num',text:q.scanned?String(q.hole_count):'–'}),
      el('td',{cls:'num wide',text:q.scanned?dur(q.hole_us):'–'}),
      el('td',{cls:'num wide',text:q.scanned&&data.peers.length>0?dur(q.fleet.hole_us):'–',title:'Time no node holds'}),
      el('td',{cls:'num','data-ago':q.newest_end===null?'':String(q.newest_end),text:q.newest_end===null?'–':ago(q.newest_end)})]));
  });
  t.appendChild(el('table',{cls:'overview'},[el('thead',null,[el('tr',null,[el('th',{text:'Channel'}),el('th',{text:'Quality'}),
    el('th',{cls:'num',text:'Coverage'}),el('th',{cls:'num',text:'Holes'}),el('th',{cls:'num wide',text:'Hole time'}),
    el('th',{cls:'num wide',text:'Fleet hole'}),el('th',{cls:'num',text:'Newest'})])]),tb]));
}

function legend(strips){
  function item(cls,text){return el('li',null,[el('i',{cls:'sw '+cls}),text]);}
  return el('ul',{cls:'legend','aria-label':'Legend'},[item('blue','recorded'),item('orange','only partial or suspect segments'),
    item('white','hole: nothing recorded'),item('future','not yet (after now)'),strips?item('down','node down or not recording this'):null]);
}

function article(q,i){
  var k=keyOf(q), u=ui[k];
  if(u)return u;
  var sec=sections[q.channel];
  if(!sec){
    sec={el:el('section',{cls:'channel'},[el('h2',{text:q.channel})]),cards:el('div',{cls:'cards'})};
    sec.el.appendChild(sec.cards);app.appendChild(sec.el);sections[q.channel]=sec;
  }
  u={key:k,page:0,sel:null,mapSig:null,first:true};
  u.el=el('article',{cls:'quality',id:'q-'+i});
  u.facts=el('div');
  u.labels=el('div',{cls:'striplabels'});
  u.canvas=el('canvas',{cls:'strips',role:'img'});
  u.scroll=el('div',{cls:'scrollx stripscroll'},[u.canvas]);
  u.selText=el('p',{cls:'selhour'});
  u.fleet=el('figure',{cls:'fleet'},[el('div',{cls:'stripwrap'},[u.labels,u.scroll]),
    el('figcaption',null,['One strip per node on one time axis (UTC), and the fleet: covered where any node covers. Click an hour to compare. ',legend(true)]),u.selText]);
  u.holes=el('div',{cls:'holelist'});
  u.map=el('div',{cls:'maphost'});
  u.el.appendChild(el('h3',{text:q.quality}));
  [u.facts,u.fleet,u.holes,u.map].forEach(function(x){u.el.appendChild(x);});
  sec.cards.appendChild(u.el);
  u.canvas.addEventListener('mousemove',function(ev){
    var q2=u.q;if(!q2||!q2.axis)return;
    var t=q2.axis[0]+Math.floor(ev.offsetX/u.hourPx*3600)*1e6;
    var rows=q2.nodes.concat([{node:'fleet',state:'up',covered:q2.fleet.covered}]);
    u.canvas.title=utc(t)+' UTC\n'+rows.map(function(r){
      return r.node+': '+(t>serverNow()?'not yet':r.state!=='up'?rowState(r):overlap(r.covered,t,t+1e6)>0?'recorded':'nothing');
    }).join('\n');
  });
  u.canvas.addEventListener('click',function(ev){
    var q2=u.q;if(!q2||!q2.axis)return;
    var idx=Math.floor(ev.offsetX/u.hourPx), h=q2.axis[0]+idx*HOUR;
    u.sel=u.sel===h?null:h;draw(u);
  });
  ui[k]=u;
  return u;
}

function renderFacts(u,q){
  u.facts.textContent='';
  if(!q.scanned){u.facts.appendChild(el('p',{text:'Waiting for the first pass over this channel and quality.'}));return;}
  var stale=q.newest_end===null||serverNow()-q.newest_end>data.stale_after_us;
  var bad=q.hole_count>0||q.nothing_recorded;
  var win=el('small',{text:q.window===null?'no window':utc(q.window[0])+' – '+utc(q.window[1])+' UTC'});
  if(q.nothing_recorded){win.appendChild(document.createTextNode(' '));win.appendChild(el('b',{cls:'nothing',text:'nothing recorded'}));}
  var holesDt=el('dt',null,['Holes']);
  if(data.docs_url){holesDt.appendChild(document.createTextNode(' '));holesDt.appendChild(el('a',{cls:'docs',href:data.docs_url,title:'What a hole, the window and coverage mean (docs/coverage.md)',text:'?'}));}
  var holesDd=el('dd',{cls:bad?'bad':'ok'},[el('b',{cls:'holecount',text:String(q.hole_count)}),', total '+dur(q.hole_us)]);
  if(q.missing_hours>0){holesDd.appendChild(document.createTextNode(', '));holesDd.appendChild(el('b',{cls:'missinghours',text:String(q.missing_hours)}));holesDd.appendChild(document.createTextNode(' whole hour(s) missing'));}
  var dl=el('dl',{cls:'facts'},[
    el('div',null,[el('dt',{text:'Coverage of window'}),el('dd',{cls:bad?'bad':'ok'},[el('b',{cls:'pct',text:pct(q.coverage_pct)}),' ',win])]),
    el('div',null,[el('dt',{text:'Newest segment'}),el('dd',{cls:stale?'bad':'ok'},q.newest_end===null?['none']:[el('span',{'data-ago':String(q.newest_end),text:ago(q.newest_end)}),' ',el('small',{text:'(ends '+utc(q.newest_end)+' UTC)'})])]),
    el('div',null,[holesDt,holesDd])]);
  if(data.peers.length>0&&q.window!==null){
    dl.appendChild(el('div',null,[el('dt',{text:'Fleet'}),el('dd',{cls:q.fleet.hole_us>0?'bad':'ok'},[
      el('b',{cls:'fleethole',text:dur(q.fleet.hole_us)}),' no node has; ',el('b',{cls:'localonly',text:dur(q.fleet.local_only_hole_us)}),' only this node lacks (peers have it)'])]));
  }
  u.facts.appendChild(dl);
}

function rowState(n){
  if(n.state==='up')return n.self?'this node':'up';
  if(n.state==='down')return 'down'+(n.error?': '+n.error:'');
  if(n.state==='absent')return 'does not record this';
  return 'waiting';
}

function draw(u){
  var q=u.q, c=u.canvas;
  u.fleet.hidden=!q||!q.axis;
  if(!q||!q.axis){c.width=0;c.height=0;c.style.width='0';u.labels.textContent='';u.selText.textContent='';return;}
  var A=q.axis[0], B=q.axis[1], n=Math.round((B-A)/HOUR);
  // 48 px an hour, wider when there are so few hours that the first date label (80 px) would
  // not fit, narrower when a long window would pass the browsers' canvas size limit.
  u.hourPx=n*MIN_HOUR_PX>MAX_W?Math.max(MAX_W/n,0.25):Math.max(MIN_HOUR_PX,Math.ceil(80/n));
  var HOUR_PX=u.hourPx, W=n*HOUR_PX;
  c.setAttribute('data-hour-px',String(HOUR_PX));
  var rows=q.nodes.concat([{node:'fleet',fleet:true,state:'up',covered:q.fleet.covered,partial:[]}]);
  var H=TOP+rows.length*(ROW_H+ROW_GAP);
  c.setAttribute('aria-label','Coverage of '+q.channel+' '+q.quality+' per node and for the fleet, '+utc(A).slice(0,13)+':00 to '+utc(B).slice(0,13)+':00 UTC; the holes list below says the same in words');
  var dpr=window.devicePixelRatio||1;
  c.width=Math.round(W*dpr);c.height=Math.round(H*dpr);c.style.width=W+'px';c.style.height=H+'px';
  var g=c.getContext('2d');g.setTransform(dpr,0,0,dpr,0,0);g.clearRect(0,0,W,H);
  function x(t){return (t-A)/HOUR*HOUR_PX;}
  var now=serverNow(), nx=Math.max(0,Math.min(W,x(now)));
  // labels: dates (the first one always whole, later ones pushed right of it), hours
  g.font='11px system-ui,sans-serif';g.textBaseline='top';g.fillStyle=COLORS.text;
  var minX=0, labelEvery=[1,2,3,4,6,12,24].find(function(k){return k*HOUR_PX>=24;})||24;
  for(var i=0;i<n;i++){
    var t=A+i*HOUR, d=new Date(t/1000), hx=i*HOUR_PX;
    if(i===0||d.getUTCHours()===0){
      var txt=d.toISOString().slice(0,10), lx=Math.max(hx+2,minX);
      g.fillText(txt,lx,1);minX=lx+g.measureText(txt).width+8;
    }
    if(d.getUTCHours()%labelEvery===0)g.fillText(pad(d.getUTCHours()),hx+2,15);
  }
  u.labels.textContent='';
  rows.forEach(function(r,ri){
    var y=TOP+ri*(ROW_H+ROW_GAP);
    var live=r.state==='up';
    var lab=el('div',{cls:'striplabel'+(r.fleet?' fleetrow':'')+(live?'':' '+r.state),title:r.node+' – '+(r.fleet?'covered where any node covers':rowState(r))},
      [el('span',{cls:'name',text:r.node}),el('span',{cls:'st',text:r.fleet?'any node':r.state==='up'?rowState(r):r.state==='absent'?'not here':r.state})]);
    u.labels.appendChild(lab);
    if(!live){
      g.fillStyle=COLORS.down;g.fillRect(0,y,W,ROW_H);
      g.fillStyle=COLORS.text;g.fillText(r.node+': '+rowState(r),4,y+3);
      return;
    }
    g.fillStyle=COLORS.hole;g.fillRect(0,y,nx,ROW_H);
    g.fillStyle=COLORS.blue;r.covered.forEach(function(p){var a=x(p[0]),b=x(p[1]);g.fillRect(a,y,Math.max(1,b-a),ROW_H);});
    g.fillStyle=COLORS.orange;r.partial.forEach(function(p){var a=x(p[0]),b=x(p[1]);g.fillRect(a,y,Math.max(1,b-a),ROW_H);});
    g.fillStyle=COLORS.future;g.fillRect(nx,y,W-nx,ROW_H);
    g.strokeStyle='#8c959f';g.lineWidth=1;g.strokeRect(0.5,y+0.5,W-1,ROW_H-1);
  });
  for(var j=1;j<n;j++){
    var dd=new Date((A+j*HOUR)/1000);
    if(dd.getUTCHours()%labelEvery!==0)continue;
    g.fillStyle=dd.getUTCHours()===0?COLORS.day:COLORS.grid;g.fillRect(j*HOUR_PX,TOP-4,1,H-TOP+4);
  }
  if(u.sel!==null&&u.sel>=A&&u.sel<B){
    g.strokeStyle=COLORS.sel;g.lineWidth=2;g.strokeRect(x(u.sel)+1,TOP-3,HOUR_PX-2,H-TOP+2);
    var end=Math.min(u.sel+HOUR,now), len=Math.max(0,end-u.sel);
    u.selText.textContent='Hour '+utc(u.sel).slice(0,13)+':00 UTC: '+rows.map(function(r){
      return r.node+' '+(r.state!=='up'?rowState(r):len>0?pct(overlap(r.covered,u.sel,end)/len*100):'not yet');
    }).join(' · ');
  } else {
    u.selText.textContent='';
  }
}

function renderHoles(u,q){
  u.holes.textContent='';
  if(!q.scanned)return;
  if(q.holes.length===0){u.holes.appendChild(el('p',{cls:'noholes',text:q.nothing_recorded?'Nothing recorded.':'No holes.'}));return;}
  var holes=q.holes.slice().sort(function(a,b){return b.start-a.start;});
  var pages=Math.ceil(holes.length/PAGE);
  u.page=Math.max(0,Math.min(u.page,pages-1));
  var from=u.page*PAGE, shown=holes.slice(from,from+PAGE);
  var hasPeers=data.peers.length>0;
  var tb=el('tbody');
  shown.forEach(function(x){
    var s=utc(x.start), e=utc(x.end);
    var held;
    if(x.peers.length===0)held=hasPeers?el('td',{cls:'peers none',text:'no node: lost'}):el('td',{cls:'peers',text:'–'});
    else held=el('td',{cls:'peers'},[x.peers.map(function(p){return p.node+(p.cover==='full'?' (all)':' ('+dur(p.covered_us)+' of it)');}).join(', ')]);
    tb.appendChild(el('tr',{cls:'hole'},[el('td',{text:s}),el('td',{text:e.slice(0,10)===s.slice(0,10)?e.slice(11):e}),el('td',{cls:'num',text:dur(x.end-x.start)}),held]));
  });
  var cap=holes.length===1?'The hole (UTC)':'Holes '+(from+1)+'–'+(from+shown.length)+' of '+holes.length+', newest first (UTC)';
  var table=el('table',{cls:'holes'},[el('caption',{text:cap}),el('thead',null,[el('tr',null,[el('th',{text:'Start'}),el('th',{text:'End'}),el('th',{cls:'num',text:'Length'}),el('th',{text:'Held by'})])]),tb]);
  u.holes.appendChild(el('div',{cls:'scrollx'},[table]));
  if(pages>1){
    var prev=el('button',{type:'button',cls:'newer',text:'← Newer'}), next=el('button',{type:'button',cls:'older',text:'Older →'});
    prev.disabled=u.page===0;next.disabled=u.page>=pages-1;
    prev.addEventListener('click',function(){u.page-=1;renderHoles(u,u.q);});
    next.addEventListener('click',function(){u.page+=1;renderHoles(u,u.q);});
    u.holes.appendChild(el('p',{cls:'pager'},[prev,' page '+(u.page+1)+' of '+pages+' ',next]));
  }
}

function renderMap(u,m){
  if(!m){u.map.textContent='';u.mapSig=null;if(u.q.scanned)u.map.appendChild(el('p',{cls:'nomap',text:'No map yet: no segment recorded.'}));return;}
  var sig=JSON.stringify([m.width,m.height,m.hourLabels,m.dayLabels]);
  if(sig===u.mapSig){u.map.querySelector('img').src=m.src;notYet(u.map.querySelector('.canvas'),m);return;}
  var old=u.map.querySelector('.mapscroll'), left=old?old.scrollLeft:null, atEnd=old?old.scrollLeft+old.clientWidth>=old.scrollWidth-2:true;
  u.mapSig=sig;u.map.textContent='';
  var days=el('div',{cls:'days'}), hours=el('div',{cls:'hours'}), ticks=el('div',{cls:'yaxis',style:'height:'+m.height+'px'});
  m.dayLabels.forEach(function(d,i){days.appendChild(el('span',{style:'left:'+d.at+'px;'+(i===0?'min-width:'+d.size+'px':'width:'+d.size+'px'),title:d.title,text:i===0?d.title:d.text}));});
  m.hourLabels.forEach(function(l){hours.appendChild(el('span',{style:'left:'+l.at+'px',title:l.title,text:l.text}));});
  m.minuteTicks.forEach(function(t){ticks.appendChild(el('span',{style:'top:'+t.at+'px',title:t.title,text:t.text}));});
  var img=el('img',{src:m.src,width:String(m.width),height:String(m.height),alt:m.alt});
  var canvas=el('div',{cls:'canvas',style:'width:'+m.width+'px;height:'+m.height+'px'},[img,el('div',{cls:'grid',style:'background-size:'+m.hourPx+'px 100%'})]);
  notYet(canvas,m);
  var sc=el('div',{cls:'scrollx mapscroll'},[el('div',{cls:'plot',style:'width:'+m.width+'px'},[days,hours,canvas])]);
  var colMin=m.columnSeconds>=120?(m.columnSeconds/60)+' min':m.columnSeconds+' s';
  u.map.appendChild(el('figure',{cls:'map'},[el('div',{cls:'mapwrap'},[ticks,sc]),
    el('figcaption',null,['This node\'s coverage map. Hours (UTC) left to right; each column is '+colMin+', read top to bottom. ',legend(false)])]));
  sc.scrollLeft=atEnd||left===null?sc.scrollWidth:left;
}

/** Greys the part of the map after now ("not yet"): the future is not a hole. */
function notYet(canvas,m){
  canvas.querySelectorAll('.notyet').forEach(function(x){x.remove();});
  var grid=canvas.querySelector('.grid');
  m.notyet.forEach(function(r){canvas.insertBefore(el('div',{cls:'notyet',title:'not yet: after now',style:'left:'+r.left+'px;top:'+r.top+'px;width:'+r.width+'px;height:'+r.height+'px'}),grid);});
}

function render(){
  document.getElementById('asof').textContent=utc(Math.floor(data.generated_at/1e6)*1e6)+' UTC';
  document.getElementById('asof').setAttribute('datetime',new Date(data.generated_at/1000).toISOString());
  renderNodes();
  var banner=document.getElementById('notready');
  if(!data.ready&&!banner){banner=el('p',{cls:'banner',id:'notready',text:'First pass still running: figures below are incomplete.'});app.insertBefore(banner,app.firstChild);}
  if(data.ready&&banner)banner.remove();
  renderOverview();
  data.qualities.forEach(function(q,i){
    var u=article(q,i);
    var sc=u.scroll, atEnd=sc.scrollLeft+sc.clientWidth>=sc.scrollWidth-2, left=sc.scrollLeft;
    u.q=q;
    renderFacts(u,q);draw(u);renderHoles(u,q);renderMap(u,data.maps[i]);
    sc.scrollLeft=u.first||atEnd?sc.scrollWidth:left;
    u.first=false;
  });
  document.body.setAttribute('data-generated',String(data.generated_at));
}

function tick(){
  document.querySelectorAll('[data-ago]').forEach(function(e){var v=e.getAttribute('data-ago');if(v)e.textContent=ago(Number(v));});
  if(data.static){
    var s=document.getElementById('live');
    s.textContent='snapshot written '+ago(data.generated_at)+'; this copy does not update';
    s.className='live static';
  }
}

/* The formatting functions, for the test that holds them equal to src/web/format.ts. */
window.segcovFormat={utc:utc,dur:dur,pct:pct};
render();tick();
setInterval(tick,1000);
setInterval(function(){if(!data.static)Object.keys(ui).forEach(function(k){draw(ui[k]);});},10000);
if(!data.static&&/^https?:$/.test(location.protocol)&&window.EventSource){
  var live=document.getElementById('live');
  var es=new EventSource('api/v1/events');
  es.addEventListener('open',function(){live.textContent='live';live.className='live on';});
  es.addEventListener('fleet',function(ev){data=JSON.parse(ev.data);receivedAt=Date.now();window.segcovUpdates=(window.segcovUpdates||0)+1;/* The formatting functions, for the test that holds them equal to src/web/format.ts. */
window.segcovFormat={utc:utc,dur:dur,pct:pct};
render();tick();live.textContent='live';live.className='live on';});
  es.addEventListener('error',function(){live.textContent='reconnecting…';live.className='live off';});
}
})();
`;
