// The dashboard: a table of ports kept up to date from the server's event feed (/api/events, server-sent events).
// The server pushes a port's snapshot when it changes; this page never polls. Actions are same-origin POSTs.
// In a cluster the feed also carries `cluster` events: the members (the nodes strip) and the other nodes' ports,
// shown as read-only rows under this node's own (their actions are on their own node's dashboard).

const ports = new Map();   // name -> snapshot, as the server last sent it
const rows = new Map();    // name -> <tr>
let hello = { principal: '?', canOperate: false, canWrite: false };
let cluster = null;            // the last cluster event; null on a single host
const remoteRows = new Map();  // "node/name" -> <tr> of another node's port

const tbody = document.querySelector('#ports tbody');
const filter = document.getElementById('filter');
const feed = document.getElementById('feed');
const empty = document.getElementById('empty');
const summary = document.getElementById('summary');
const who = document.getElementById('who');
const toastBox = document.getElementById('toast');
const clusterBox = document.getElementById('cluster');
const clusterBanner = document.getElementById('cluster-banner');
const nodesList = document.getElementById('nodes');

const BAUDS = [300, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600];

/** Creates an element; strings become text nodes (never HTML), so names from the config cannot inject markup. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

function bytes(n) {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = -1;
  do { value /= 1000; unit++; } while (value >= 1000 && unit < units.length - 1);
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

function ago(iso) {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d`;
}

function clock(iso) {
  const d = new Date(iso);
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

function toast(text, isError = false) {
  toastBox.textContent = text;
  toastBox.className = isError ? 'error' : '';
  toastBox.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { toastBox.hidden = true; }, isError ? 6000 : 3000);
}

async function act(url, body, what) {
  try {
    const response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
    const answer = await response.json().catch(() => ({}));
    if (response.ok) toast(answer.result ?? `${what}: done`);
    else toast(`${what} failed: ${answer.detail ?? answer.title ?? response.status}`, true);
  } catch (e) {
    toast(`${what} failed: ${e.message}`, true);
  }
}

// --- filtering -------------------------------------------------------------------------------------------

function matches(port, text) {
  if (!text) return true;
  return text.toLowerCase().split(/\s+/).filter(Boolean).every(word => {
    if (word.startsWith('tag:')) return port.tags.some(t => t.toLowerCase() === word.slice(4));
    return port.name.toLowerCase().includes(word) ||
      (port.device ?? '').toLowerCase().includes(word) ||
      port.tags.some(t => t.toLowerCase().includes(word));
  });
}

function applyFilter() {
  const text = filter.value.trim();
  let shown = 0;
  for (const [name, row] of rows) {
    const visible = matches(ports.get(name), text);
    row.hidden = !visible;
    if (visible) shown++;
  }
  for (const row of remoteRows.values()) {
    const visible = matches(row.port, text);
    row.hidden = !visible;
    if (visible) shown++;
  }
  empty.hidden = shown > 0 || ports.size + remoteRows.size === 0;
  const online = [...ports.values()].filter(p => p.state === 'online').length;
  const sessions = [...ports.values()].reduce((n, p) => n + p.sessions.length, 0);
  summary.textContent = `${ports.size} port${ports.size === 1 ? '' : 's'}, ${online} online, ${sessions} session${sessions === 1 ? '' : 's'}` +
    (cluster ? ` here, ${remoteRows.size} on other nodes` : '') +
    (text ? ` — ${shown} shown` : '');
}

filter.addEventListener('input', () => {
  const url = new URL(location.href);
  if (filter.value) url.searchParams.set('q', filter.value); else url.searchParams.delete('q');
  history.replaceState(null, '', url);
  applyFilter();
});
filter.value = new URLSearchParams(location.search).get('q') ?? '';

// --- rendering -------------------------------------------------------------------------------------------

function portCell(p) {
  return h('td', { class: 'port' },
    h('div', { class: 'name' }, p.name),
    h('div', { class: 'sub mono device', title: 'device (kernel node)' }, p.device, p.kernelNode && p.kernelNode !== p.device ? ` → ${p.kernelNode}` : ''),
    cluster ? h('div', { class: 'sub node-of' }, 'node ', h('strong', {}, cluster.self), ' (this node)') : null);
}

function stateCell(p) {
  return h('td', {},
    h('span', { class: `badge ${p.state}` }, p.state),
    h('div', { class: 'sub since', title: new Date(p.since).toString() },
      'since ', clock(p.since), ' · ', h('span', { dataset: { since: p.since } }, ago(p.since))),
    p.detail ? h('div', { class: 'sub detail', title: p.detail }, p.detail) : null,
    p.raisedTriggers?.length ? h('div', { class: 'sub raised', title: 'triggers raised on this port\'s output (cleared by their clear pattern)' },
      'raised: ', p.raisedTriggers.join(', ')) : null);
}

function lineCell(p) {
  const m = p.modem;
  const flag = (name, on) => h('span', { class: on ? 'on' : '' }, name);
  return h('td', {},
    h('div', { class: 'mono' }, p.line.text),
    h('div', { class: 'modem', title: 'control lines set (DTR, RTS) and modem lines read (CTS, DSR, CD, RI)' },
      flag('DTR', m.dtr), flag('RTS', m.rts), flag('CTS', m.cts), flag('DSR', m.dsr), flag('CD', m.cd), flag('RI', m.ri)));
}

function tagsCell(p) {
  return h('td', {}, p.tags.length === 0 ? h('span', { class: 'muted' }, '—') :
    p.tags.map(tag => h('span', {
      class: 'tag', title: `show only ports tagged ${tag}`,
      onclick: () => { filter.value = `tag:${tag}`; filter.dispatchEvent(new Event('input')); },
    }, tag)));
}

function sessionsCell(p) {
  if (p.sessions.length === 0) return h('td', {}, h('span', { class: 'muted' }, 'none'));
  return h('td', {}, h('table', { class: 'sessions' }, h('tbody', {}, p.sessions.map(s => h('tr', {},
    h('td', { class: 'mono' }, `#${s.number}`),
    h('td', { title: `from ${s.peer} on ${s.listener}, since ${new Date(s.since).toLocaleString()}` },
      h('strong', {}, s.principal), h('div', { class: 'sub' }, `${s.protocol} · ${s.peer}`)),
    h('td', {}, h('span', { class: `badge ${s.role}` }, s.role),
      h('div', { class: 'sub', title: 'sent to the client / received from it' }, `↓${bytes(s.bytesOut)} ↑${bytes(s.bytesIn)}`)),
    h('td', { class: 'kick' }, hello.canOperate
      ? h('button', {
        type: 'button', class: 'danger', title: `disconnect session ${s.id}`, dataset: { kick: s.id },
        onclick: () => act(`/ui/sessions/${encodeURIComponent(s.id)}/kick`, null, `kick ${s.id}`),
      }, 'Kick')
      : null))))));
}

function troubleCell(p) {
  const c = p.counters;
  const items = [
    ['discarded', c.bytesDiscarded, 'client bytes discarded while the device was offline'],
    ['dropped', c.bytesDropped, 'device bytes dropped for slow clients'],
    ['reopens', c.reopens, 'times the device came back'],
    ['refused', c.sessionsRefused, 'connections refused'],
  ].filter(([, n]) => n > 0);
  if (items.length === 0) return h('td', { class: 'trouble muted' }, 'none');
  return h('td', { class: 'trouble' }, items.map(([name, n, title], i) =>
    h('span', { title }, i > 0 ? ' · ' : '', `${name} `, h('span', { class: 'hot' }, n))));
}

function openCell(p) {
  const base = `/ports/${encodeURIComponent(p.name)}`;
  return h('td', { class: 'open' },
    h('a', { href: `${base}/terminal`, title: 'a browser terminal on this port' }, 'terminal'),
    h('a', { href: `${base}/terminal?mode=read-only`, title: 'watch without typing' }, 'monitor'),
    h('a', { href: `/api/ports/${encodeURIComponent(p.name)}/scrollback`, title: 'download the scrollback' }, 'log'),
    h('a', { href: `${base}/recordings`, title: 'recordings of this port and who was in them (the audit right)' }, 'recordings'));
}

/** The actions cell is made once per row, so a baud the user is choosing survives the row's updates. */
/** Power buttons for the actions the port has (port key power); a switch needs a second click, like Break. */
function powerButtons(name, actions) {
  return (actions ?? []).map(action => {
    const label = action === 'status' ? 'Power?' : `Power ${action}`;
    const button = h('button', {
      type: 'button', class: action === 'status' ? '' : 'danger', dataset: { power: action },
      title: action === 'status' ? 'ask the power state' : `power ${action} (click twice)`,
    }, label);
    button.addEventListener('click', () => {
      if (action !== 'status' && !button.classList.contains('armed')) {
        button.classList.add('armed');
        button.textContent = `${label}?`;
        setTimeout(() => { button.classList.remove('armed'); button.textContent = label; }, 3000);
        return;
      }
      button.classList.remove('armed');
      button.textContent = label;
      act(`/ui/ports/${encodeURIComponent(name)}/power`, { action }, `power ${action} on ${name}`);
    });
    return button;
  });
}

function actionsCell(name, power) {
  const td = h('td', { class: 'ops' });
  if (!hello.canOperate) {
    td.append(h('span', { class: 'muted' }, '—'));
    return td;
  }
  const brk = h('button', { type: 'button', class: 'danger', title: 'send a 250 ms break to the device (click twice)' }, 'Break');
  brk.addEventListener('click', () => {
    if (!brk.classList.contains('armed')) {
      brk.classList.add('armed');
      brk.textContent = 'Send break?';
      setTimeout(() => { brk.classList.remove('armed'); brk.textContent = 'Break'; }, 3000);
      return;
    }
    brk.classList.remove('armed');
    brk.textContent = 'Break';
    act(`/ui/ports/${encodeURIComponent(name)}/break`, null, `break on ${name}`);
  });
  const baud = h('select', { title: 'baud rate', 'aria-label': `baud rate of ${name}` });
  baud.addEventListener('change', () => { baud.dataset.touched = '1'; });
  const set = h('button', { type: 'button', title: 'apply this baud rate' }, 'Set');
  set.addEventListener('click', () => {
    delete baud.dataset.touched;
    act(`/ui/ports/${encodeURIComponent(name)}/line`, { baud: Number(baud.value) }, `baud on ${name}`);
  });
  td.append(brk, baud, set, ...powerButtons(name, power));
  return td;
}

function syncBaud(row, p) {
  const baud = row.querySelector('select');
  if (!baud || baud.dataset.touched) return;
  const rates = BAUDS.includes(p.line.baud) ? BAUDS : [...BAUDS, p.line.baud].sort((a, b) => a - b);
  if (baud.options.length !== rates.length) {
    baud.replaceChildren(...rates.map(r => h('option', { value: r }, r)));
  }
  baud.value = String(p.line.baud);
}

function renderRow(p) {
  let row = rows.get(p.name);
  const cells = [portCell(p), stateCell(p), lineCell(p), tagsCell(p), sessionsCell(p),
    h('td', { class: 'traffic' },
      h('div', { title: 'bytes the device printed' }, h('span', {}, 'from'), bytes(p.counters.bytesFromDevice)),
      h('div', { title: 'bytes written to the device' }, h('span', {}, 'to'), bytes(p.counters.bytesToDevice))),
    troubleCell(p), openCell(p)];
  if (!row) {
    row = h('tr', { dataset: { port: p.name } });
    row.append(...cells, actionsCell(p.name, p.power));
    rows.set(p.name, row);
    const after = [...rows.keys()].filter(n => n > p.name).sort()[0];
    tbody.insertBefore(row, after ? rows.get(after) : tbody.querySelector('tr.remote')); // other nodes' ports stay last
  } else {
    const actions = row.lastElementChild;
    row.replaceChildren(...cells, actions);
  }
  row.className = p.state;
  syncBaud(row, p);
}

function renderAll() {
  tbody.replaceChildren();
  rows.clear();
  for (const name of [...ports.keys()].sort()) renderRow(ports.get(name));
  if (cluster) renderRemote();
  applyFilter();
}

// --- the cluster: the nodes strip and the other nodes' ports ---------------------------------------------

/** A link target from another node's claim: only http(s) URLs. */
function safeUrl(url) {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

function renderNodes() {
  clusterBox.hidden = false;
  const banner = !cluster.joined
    ? 'not joined to the cluster (joining or rejoining): no new leases, and no other node\'s ports are shown'
    : !cluster.majority ? 'cut off from the majority: no new leases' : null;
  clusterBanner.hidden = !banner;
  clusterBanner.textContent = banner ?? '';
  nodesList.replaceChildren(...cluster.nodes.map(n => {
    const link = n.self ? null : safeUrl(n.dashboard);
    return h('li', {
      class: [n.self && 'self', !n.reachable && 'unreachable'].filter(Boolean).join(' ') || null,
      dataset: { node: n.name, status: n.status },
      title: `cluster address ${n.address}`,
    },
    h('strong', {}, n.name),
    n.self ? h('span', { class: 'badge self' }, 'this node') : null,
    h('span', { class: `badge status ${n.status.replace(/\s+/g, '-')}` }, n.status),
    n.reachable ? h('span', { class: 'muted reach' }, 'reachable') : h('span', { class: 'badge unreachable reach' }, 'unreachable'),
    n.witness
      ? h('span', { class: 'badge witness', title: 'a voting member without ports' }, 'witness')
      : h('span', { class: 'muted count' }, n.ports === null ? 'ports unknown' : `${n.ports} port${n.ports === 1 ? '' : 's'}`),
    link ? h('a', { href: link, class: 'node-dashboard', title: `${n.name}'s own dashboard` }, 'dashboard ↗') : null);
  }));
}

function remoteCells(p) {
  const muted = (text, title) => h('td', { class: 'muted', title }, text);
  const link = safeUrl(p.dashboard);
  const on = link ? `${link}?q=${encodeURIComponent(p.name)}` : null;
  return [
    h('td', { class: 'port' },
      h('div', { class: 'name' }, p.name),
      h('div', { class: 'sub node-of' }, 'node ', on ? h('a', { href: on, title: `${p.node}'s own dashboard` }, p.node) : h('strong', {}, p.node))),
    h('td', {},
      h('span', { class: `badge ${p.state}` }, p.state),
      p.leaseHolder ? h('div', { class: 'sub', title: `leased until ${new Date(p.leaseExpires).toLocaleString()}` }, `leased by ${p.leaseHolder}`) : null),
    muted('—', `line settings are on ${p.node}'s dashboard`),
    tagsCell(p),
    p.sessions === 0 ? muted('none') : h('td', {}, `${p.sessions} session${p.sessions === 1 ? '' : 's'}`),
    muted('—'),
    muted('—'),
    h('td', { class: 'open' }, on
      ? h('a', { href: on, class: 'elsewhere', title: `terminal, monitor and log are on ${p.node}'s own dashboard` }, `on ${p.node} ↗`)
      : h('span', { class: 'muted' }, `on ${p.node}`)),
    h('td', { class: 'ops muted', title: `actions are on ${p.node}'s own dashboard` }, '—'),
  ];
}

/** The other nodes' ports (from the cluster's inventory): read-only rows after this node's own, rebuilt on each event. */
function renderRemote() {
  for (const row of remoteRows.values()) row.remove();
  remoteRows.clear();
  for (const p of cluster.ports) {
    const row = h('tr', { class: `remote ${p.state}`, dataset: { port: p.name, node: p.node } }, ...remoteCells(p));
    row.port = p;
    remoteRows.set(`${p.node}/${p.name}`, row);
    tbody.append(row);
  }
}


setInterval(() => {
  for (const el of tbody.querySelectorAll('[data-since]')) el.textContent = ago(el.dataset.since);
}, 1000);

// --- the live feed ---------------------------------------------------------------------------------------

function setFeed(state, text) {
  feed.className = `badge ${state}`;
  feed.textContent = text;
  document.body.dataset.feed = state;
}

function connect() {
  const events = new EventSource('/api/events');
  events.addEventListener('hello', e => {
    hello = JSON.parse(e.data);
    who.textContent = `${hello.principal}${hello.canOperate ? ' · operator' : ' · viewer'}`;
  });
  events.addEventListener('ports', e => {
    ports.clear();
    for (const p of JSON.parse(e.data)) ports.set(p.name, p);
    renderAll();
    setFeed('live', 'live');
  });
  events.addEventListener('cluster', e => {
    const next = JSON.parse(e.data);
    const first = cluster?.self !== next.self;
    cluster = next;
    if (first) for (const p of ports.values()) renderRow(p); // this node's rows now name their node
    renderNodes();
    renderRemote();
    applyFilter();
  });
  events.addEventListener('port', e => {
    const p = JSON.parse(e.data);
    ports.set(p.name, p);
    renderRow(p);
    applyFilter();
  });
  events.addEventListener('removed', e => {
    const name = JSON.parse(e.data);
    ports.delete(name);
    rows.get(name)?.remove();
    rows.delete(name);
    applyFilter();
  });
  events.onerror = () => {
    if (events.readyState === EventSource.CLOSED) {
      setFeed('closed', 'disconnected');
      setTimeout(connect, 5000);
    } else {
      setFeed('pending', 'reconnecting…');
    }
  };
}

connect();
