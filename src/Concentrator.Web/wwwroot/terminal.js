// The browser terminal: xterm.js on a WebSocket that is an ordinary session of the port.
// Binary frames carry bytes both ways; text frames carry small JSON control messages:
//   to the server:   {"type":"resize","cols":..,"rows":..} {"type":"break"} {"type":"write","action":"ask"|"force"|"release"}
//                    {"type":"replay"} {"type":"who"}
//   from the server: {"type":"session","id":..,"port":..} {"type":"role","canWrite":..,"reason":..} {"type":"closed","reason":..}
import { Terminal } from '/ui/lib/xterm.mjs';
import { FitAddon } from '/ui/lib/addon-fit.mjs';

const port = decodeURIComponent(location.pathname.split('/')[2] ?? '');
const readOnly = new URLSearchParams(location.search).get('mode') === 'read-only';
const $ = id => document.getElementById(id);

document.title = `${port}${readOnly ? ' (monitor)' : ''} — Concentrator`;
$('title').textContent = port;
$('log').href = `/api/ports/${encodeURIComponent(port)}/scrollback`;
if (readOnly) $('write-controls').hidden = true;

const term = new Terminal({
  cursorBlink: !readOnly,
  scrollback: 10000,
  fontFamily: '"DejaVu Sans Mono", Menlo, Consolas, monospace',
  fontSize: 14,
  theme: { background: '#11161c', foreground: '#d8dee6', cursor: '#9cc8ff', selectionBackground: '#35506e' },
});
const fit = new FitAddon();
term.loadAddon(fit);
term.open($('terminal'));
fit.fit();
term.focus();

const encoder = new TextEncoder();
const status = { state: 'connecting', canWrite: null, session: null, reason: '', closedReason: null };
let socket = null;

function setState(state, text) {
  status.state = state;
  $('state').className = `badge ${state}`;
  $('state').textContent = text;
  document.body.dataset.state = state;
}

function setReason(text) {
  status.reason = text;
  $('reason').textContent = text;
  $('reason').title = text;
}

function setRole(canWrite, reason) {
  status.canWrite = canWrite;
  const role = $('role');
  role.hidden = false;
  role.className = `badge ${canWrite ? 'read-write' : 'read-only'}`;
  role.textContent = canWrite ? 'read-write' : 'read-only';
  document.body.dataset.role = role.textContent;
  setReason(reason);
}

function send(data) {
  if (socket?.readyState === WebSocket.OPEN) socket.send(data);
}

function control(message) {
  send(JSON.stringify(message));
}

function onControl(message) {
  switch (message.type) {
    case 'session':
      status.session = message.id;
      setState('live', `session ${message.id}`);
      break;
    case 'role':
      setRole(message.canWrite, message.reason);
      break;
    case 'closed':
      status.closedReason = message.reason;
      break;
  }
}

function connect() {
  status.closedReason = null;
  setState('pending', 'connecting…');
  $('reconnect').hidden = true;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${location.host}/api/ports/${encodeURIComponent(port)}/terminal${readOnly ? '?mode=read-only' : ''}`;
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  ws.onopen = () => control({ type: 'resize', cols: term.cols, rows: term.rows });
  ws.onmessage = event => {
    if (typeof event.data === 'string') {
      try { onControl(JSON.parse(event.data)); } catch { /* not ours */ }
    } else {
      term.write(new Uint8Array(event.data));
    }
  };
  ws.onclose = event => {
    if (socket !== ws) return;
    const reason = status.closedReason ?? (event.reason || (event.code === 1006 ? 'connection lost' : `closed (${event.code})`));
    setState('closed', 'closed');
    setReason(reason);
    $('role').hidden = true;
    term.write(`\r\n\x1b[33m[connection closed: ${reason}]\x1b[0m\r\n`);
    $('reconnect').hidden = false;
  };
  socket = ws;
}

term.onData(data => send(encoder.encode(data)));
term.onBinary(data => send(Uint8Array.from(data, c => c.charCodeAt(0) & 0xff)));
term.onResize(size => control({ type: 'resize', cols: size.cols, rows: size.rows }));
window.addEventListener('resize', () => fit.fit());

$('ask').onclick = () => { control({ type: 'write', action: 'ask' }); term.focus(); };
$('force').onclick = () => { control({ type: 'write', action: 'force' }); term.focus(); };
$('release').onclick = () => { control({ type: 'write', action: 'release' }); term.focus(); };
$('break').onclick = () => { control({ type: 'break' }); term.focus(); };
$('replay').onclick = () => { control({ type: 'replay' }); term.focus(); };
$('who').onclick = () => { control({ type: 'who' }); term.focus(); };
$('reconnect').onclick = () => { term.write('\r\n'); connect(); term.focus(); };

// For people debugging and for the browser tests: the terminal's text and the session's state.
window.concentratorTerminal = {
  text() {
    const buffer = term.buffer.active;
    const lines = [];
    for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
    return lines.join('\n');
  },
  status,
};

connect();
