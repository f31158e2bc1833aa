// The try page: submit, then follow the job's Server-Sent Events. EventSource cannot send an
// Authorization header, so the stream is read with fetch() and parsed here.
'use strict';

const $ = (id) => document.getElementById(id);

function readTokenFromFragment() {
  const match = /(?:^|&)token=([^&]+)/.exec(location.hash.slice(1));
  if (match) {
    sessionStorage.setItem('ap-token', decodeURIComponent(match[1]));
    history.replaceState(null, '', location.pathname);
  }
  $('token').value = sessionStorage.getItem('ap-token') || '';
}

function show(stage, percent) {
  $('stage').textContent = stage;
  if (typeof percent === 'number') $('bar').value = percent;
}

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = false;
}

async function* sseEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let name = 'message';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) name = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      if (data) yield { name, data: JSON.parse(data) };
    }
  }
}

// The server applies the job-message model to every event and sends the result as `view`; the
// page only draws it (no ordering rules here: a late place in line never arrives as a view).
function draw(view) {
  show(view.text, view.percent);
  for (const name of ACTION_NAMES) $(name).hidden = !view.actions.includes(name);
  if (view.error) showError(view.error.text);
  const first = view.images[0];
  $('result').hidden = !first;
  if (!first) return;
  $('image').src = first.webp_url || first.url;
  $('full').href = first.url;
  $('recipe').textContent = view.recipe || '';
  if (view.project_url) {
    $('gallery').href = view.project_url;
    $('gallery').hidden = false;
  }
}

const RECONNECT_TRIES = 10;

// A server going down for a restart ends the stream with a `reconnect` event: wait, then open it
// again (the new stream starts with a status snapshot, so nothing is missed).
async function follow(jobId, token) {
  for (let tries = 0; ; tries++) {
    let reconnectAfter = 0;
    try {
      const stream = await fetch(`/api/anime/generation/${jobId}/events`, { headers: { Authorization: `Bearer ${token}` } });
      if (!stream.ok && !(tries > 0 && stream.status >= 500)) return showError(`could not follow the job (HTTP ${stream.status})`);
      if (stream.ok) {
        for await (const e of sseEvents(stream)) {
          if (e.name === 'reconnect') reconnectAfter = e.data.retry_after_ms || 2000;
          else if (e.name === 'view') draw(e.data);
        }
        if (!reconnectAfter) return;
      }
    } catch (error) {
      // While reconnecting the server may still be down: keep trying; otherwise it is a real problem.
      if (tries === 0) throw error;
    }
    if (tries >= RECONNECT_TRIES) return showError('lost the connection to the server; reload to try again');
    show('Reconnecting…');
    await new Promise((resolve) => setTimeout(resolve, reconnectAfter || 2000));
  }
}

// The job the page shows, and the token it was made with (the buttons act on it).
let current = null;

// Starts a job (a new one, or a re-roll of the one shown) and follows it to its end.
async function start(request, token) {
  $('go').disabled = true;
  $('job').hidden = false;
  $('error').hidden = true;
  $('result').hidden = true;
  for (const name of ACTION_NAMES) $(name).hidden = true;
  show('Sending…', 0);
  try {
    const created = await request();
    const json = await created.json();
    if (!created.ok) return showError(json.error ? json.error.message : `HTTP ${created.status}`);
    current = { jobId: json.job_id, token };
    await follow(json.job_id, token);
  } catch (error) {
    showError(`network problem: ${error.message}`);
  } finally {
    $('go').disabled = false;
  }
}

function submit(event) {
  event.preventDefault();
  const token = $('token').value.trim();
  sessionStorage.setItem('ap-token', token);
  const [width, height] = $('aspect').value.split('x').map(Number);
  const body = { prompt: $('prompt').value, width, height, steps: Number($('steps').value) };
  if ($('seed').value !== '') body.seed = Number($('seed').value);
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  return start(() => fetch('/api/anime/generate', { method: 'POST', headers, body: JSON.stringify(body) }), token);
}

// The buttons the view offers. Cancel: the open stream brings the cancelled view. Delete: the job
// has ended, so its stream is opened again for the view without the files. Re-roll: a new job.
const ACTION_NAMES = ['cancel', 'reroll', 'delete'];
const ACTIONS = {
  cancel: (job) => call(job, 'POST', 'cancel'),
  delete: async (job) => {
    if (await call(job, 'DELETE', 'images')) await follow(job.jobId, job.token);
  },
  reroll: (job) => start(() => fetch(`/api/anime/generation/${job.jobId}/reroll`, { method: 'POST', headers: { Authorization: `Bearer ${job.token}` } }), job.token),
};

async function call(job, method, path) {
  const response = await fetch(`/api/anime/generation/${job.jobId}/${path}`, { method, headers: { Authorization: `Bearer ${job.token}` } });
  if (response.ok) return true;
  const json = await response.json().catch(() => ({}));
  showError(json.error ? json.error.message : `HTTP ${response.status}`);
  return false;
}

for (const name of ACTION_NAMES) {
  $(name).addEventListener('click', async () => {
    if (!current) return;
    $(name).disabled = true;
    try {
      await ACTIONS[name](current);
    } catch (error) {
      showError(`network problem: ${error.message}`);
    } finally {
      $(name).disabled = false;
    }
  });
}

readTokenFromFragment();
$('generate').addEventListener('submit', submit);
