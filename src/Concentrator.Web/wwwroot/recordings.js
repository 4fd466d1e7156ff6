// The recordings page: a port's recordings with who was in each, and the asciinema player (pinned in package.json,
// embedded by the build) with a timeline of the recording's markers (who typed, joined, left; line changes, breaks).
const port = decodeURIComponent(location.pathname.split('/')[2] ?? '');
const title = document.getElementById('title');
const status = document.getElementById('status');
const body = document.querySelector('#list tbody');
title.textContent = `Recordings of ${port}`;
document.title = `Recordings: ${port}`;

const clock = (seconds) => {
  const s = Math.floor(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

const size = (bytes) => bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} B`;

const cell = (row, text) => {
  const td = document.createElement('td');
  td.textContent = text;
  row.append(td);
  return td;
};

// The markers of a cast: [time, label], in order (the player shows them on its progress bar too).
function markersOf(cast) {
  const markers = [];
  for (const line of cast.split('\n').slice(1)) {
    if (line.trim() === '') {
      continue;
    }

    const [time, code, data] = JSON.parse(line);
    if (code === 'm') {
      markers.push([time, data]);
    }
  }

  return markers;
}

let player = null;

async function play(recording, row) {
  document.querySelectorAll('#list tr.current').forEach((r) => r.classList.remove('current'));
  row.classList.add('current');
  const reply = await fetch(`/recordings/${encodeURIComponent(recording.id)}.cast`, { credentials: 'same-origin' });
  if (!reply.ok) {
    status.textContent = `could not load ${recording.id}: ${reply.status}`;
    return;
  }

  const cast = await reply.text();
  const markers = markersOf(cast);
  document.getElementById('playing').hidden = false;
  document.getElementById('playing-title').textContent = `${recording.id}`;
  player?.dispose();
  const element = document.getElementById('player');
  element.replaceChildren();
  player = AsciinemaPlayer.create({ data: cast }, element, { fit: 'width', idleTimeLimit: 5, markers: markers });
  window.concentratorPlayer = player; // for tests and the curious
  const timeline = document.getElementById('timeline');
  timeline.replaceChildren();
  for (const [time, label] of markers) {
    const item = document.createElement('li');
    item.className = label.split(' ')[0];
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = `${clock(time)}  ${label}`;
    button.addEventListener('click', () => player.seek(time));
    item.append(button);
    timeline.append(item);
  }
}

async function load() {
  const reply = await fetch(`/ports/${encodeURIComponent(port)}/recordings.json`, { credentials: 'same-origin' });
  if (!reply.ok) {
    status.textContent = reply.status === 403 ? 'recordings need the audit right (an audit or admin token)' : `error ${reply.status}`;
    return;
  }

  const { recordings } = await reply.json();
  status.textContent = recordings.length === 0 ? 'no recordings' : `${recordings.length} recording(s)`;
  for (const recording of recordings) {
    const row = document.createElement('tr');
    row.dataset.id = recording.id;
    const started = new Date(recording.started);
    cell(row, started.toISOString().replace('T', ' ').slice(0, 19));
    cell(row, recording.active ? 'recording…' : recording.ended ? clock((new Date(recording.ended) - started) / 1000) : '?');
    cell(row, size(recording.size));
    cell(row, [...new Set(recording.participants.map((p) => p.principal))].join(', '));
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = 'Play';
    button.addEventListener('click', () => play(recording, row));
    cell(row, '').append(button);
    body.append(row);
  }
}

// Search by principal and time: every word must appear in the row (who was in it, or its start as shown).
document.getElementById('search').addEventListener('input', (event) => {
  const words = event.target.value.toLowerCase().split(/\s+/).filter((w) => w !== '');
  for (const row of body.querySelectorAll('tr')) {
    const text = row.textContent.toLowerCase();
    row.hidden = !words.every((w) => text.includes(w));
  }
});

load();
