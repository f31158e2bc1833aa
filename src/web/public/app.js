// The try page, a small studio: the form's choices come from the API (projects, models,
// characters), a submitted job is followed through its Server-Sent Events, and the recent jobs are
// drawn from the views the server renders. The page decides nothing about jobs; it draws.
// EventSource cannot send an Authorization header, so the stream is read with fetch() and parsed here.
'use strict';

const $ = (id) => document.getElementById(id);

const token = () => $('token').value.trim();
const authHeaders = () => ({ Authorization: `Bearer ${token()}` });

/** A GET of the API as JSON; a refusal becomes an Error carrying the API's own message. */
async function getJson(path) {
  const response = await fetch(path, { headers: authHeaders() });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(json.error ? json.error.message : `HTTP ${response.status}`), { status: response.status });
  return json;
}

function option(value, label, { selected = false, disabled = false } = {}) {
  const element = document.createElement('option');
  element.value = value;
  element.textContent = label;
  element.selected = selected;
  element.disabled = disabled;
  return element;
}

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
  drawPreview(view.preview_url);
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

// The picture so far while it renders; the view stops carrying it when the job ends (the final
// image replaces it) or it leaves rendering. A link that fails (the preview just ended) hides it.
function drawPreview(url) {
  const preview = $('live-preview');
  preview.hidden = !url;
  if (url && preview.getAttribute('src') !== url) preview.src = url;
  if (!url) preview.removeAttribute('src');
}
$('live-preview').addEventListener('error', () => ($('live-preview').hidden = true));

const RECONNECT_TRIES = 10;

// A server going down for a restart ends the stream with a `reconnect` event, and one briefly
// without Postgres or Redis answers 503: wait, then open it again (the new stream starts with a
// status snapshot, so nothing is missed).
async function follow(jobId, token) {
  for (let tries = 0; ; tries++) {
    let reconnectAfter = 0;
    try {
      const stream = await fetch(`/api/anime/generation/${jobId}/events`, { headers: { Authorization: `Bearer ${token}` } });
      // 503 is the server saying "briefly unavailable, come back" (with Retry-After): so we do.
      if (stream.status === 503) reconnectAfter = Number(stream.headers.get('Retry-After')) * 1000 || 2000;
      else if (!stream.ok && !(tries > 0 && stream.status >= 500)) return showError(`could not follow the job (HTTP ${stream.status})`);
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
    void loadRecent();
    await follow(json.job_id, token);
  } catch (error) {
    showError(error instanceof Refused ? error.message : `network problem: ${error.message}`);
  } finally {
    $('go').disabled = false;
    void loadRecent();
  }
}

/** The API refused a step before the job (an upload): its own words are shown, not "network problem". */
class Refused extends Error {}

// The request as the API names its fields; empty choices are left out so the server's defaults apply.
function requestBody() {
  const [width, height] = $('aspect').value.split('x').map(Number);
  const body = { prompt: $('prompt').value, width, height, steps: Number($('steps').value), count: Number($('count').value), type: $('kind').value };
  if ($('negative').value.trim() !== '') body.negative_prompt = $('negative').value;
  if ($('seed').value !== '') body.seed = Number($('seed').value);
  if ($('project').value) body.project = $('project').value;
  if ($('model').value) body.model = $('model').value;
  const characters = [...$('characters').querySelectorAll('input:checked')].map((box) => box.value);
  if (characters.length > 0) body.characters = characters;
  return body;
}

// With a reference picture chosen, it is uploaded first and the job names it (with the strength);
// the server checks it (type by its bytes, size, pixels) and its refusal is shown in its words.
function submit(event) {
  event.preventDefault();
  sessionStorage.setItem('ap-token', token());
  const headers = { ...authHeaders(), 'Content-Type': 'application/json' };
  const body = requestBody();
  const picture = $('reference').files[0];
  return start(async () => {
    if (picture) {
      show('Uploading the picture…', 0);
      body.reference_image = await uploadReference(picture);
      body.strength = Number($('strength').value);
    }
    return fetch('/api/anime/generate', { method: 'POST', headers, body: JSON.stringify(body) });
  }, token());
}

// Strength only means something with a picture (the API refuses it alone).
function syncStrength() {
  $('strength').disabled = $('reference').files.length === 0;
  $('strength-value').textContent = $('strength').value;
}

// The buttons the view offers. Cancel: the open stream brings the cancelled view. Delete: the job
// has ended, so its stream is opened again for the view without the files. Re-roll: a new job.
const ACTION_NAMES = ['cancel', 'reroll', 'delete'];
const ACTIONS = {
  cancel: (job) => call(job, 'POST', 'cancel'),
  delete: async (job) => {
    if (!(await call(job, 'DELETE', 'images'))) return;
    await follow(job.jobId, job.token);
    await loadRecent(); // its entry leaves the recent list too
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

// --- The form's choices, from the API --------------------------------------------------------

function showLoadError(message) {
  $('load-error').textContent = message;
  $('load-error').hidden = !message;
}

// Projects one may use now (archived ones are not listed); the space's default preselected.
async function loadProjects() {
  const { projects } = await getJson('/api/projects');
  const chosen = $('project').value;
  const keep = projects.some((p) => p.slug === chosen);
  $('project').replaceChildren(...projects.map((p) => option(p.slug, p.name, { selected: keep ? p.slug === chosen : p.is_default })));
}

// Models the workers can run now are selectable (unknown counts as yes: the server checks again);
// the first listed is the default.
async function loadModels() {
  const { models } = await getJson('/api/models');
  $('model').replaceChildren(
    ...models.map((m) => option(m.id, m.available === false ? `${m.name} (not available now)` : m.name, { selected: m.default, disabled: m.available === false })),
  );
}

// The chosen project's characters and the space-wide ones, as check boxes in the order listed.
async function loadCharacters() {
  const slug = $('project').value;
  const { characters } = await getJson(slug ? `/api/characters?project=${encodeURIComponent(slug)}` : '/api/characters');
  const boxes = characters.map((c) => {
    const label = document.createElement('label');
    label.className = 'character';
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.name = 'character';
    box.value = c.name;
    label.append(box, ` ${c.name}`);
    if (c.description) label.title = c.description;
    return label;
  });
  $('characters').querySelectorAll('label.character').forEach((old) => old.remove());
  $('characters').append(...boxes);
  $('no-characters').hidden = boxes.length > 0;
}

async function loadChoices() {
  if (!token()) return;
  try {
    await Promise.all([loadProjects(), loadModels()]);
    await loadCharacters();
    showLoadError('');
  } catch (error) {
    // One message for one cause (a wrong token fails every call alike).
    return showLoadError(`could not load the choices: ${error.message}`);
  }
  await loadRecent();
}

// --- Recent jobs, drawn from the server's views -------------------------------------------------

function drawRecentJob(entry) {
  const { view } = entry;
  const item = $('recent-item').content.firstElementChild.cloneNode(true);
  item.dataset.jobId = entry.job_id;
  const first = view.images[0];
  const thumb = item.querySelector('.thumb');
  if (first) {
    thumb.src = first.thumbnail_url || first.webp_url || first.url;
    thumb.alt = `Preview: ${view.prompt}`;
  } else thumb.remove();
  item.querySelector('.recent-stage').textContent = view.text;
  item.querySelector('.recent-prompt').textContent = view.prompt;
  item.querySelector('.recent-project').textContent = `${entry.project} · ${entry.kind}`;
  const job = { jobId: entry.job_id, token: token() };
  const reroll = item.querySelector('.recent-reroll');
  reroll.hidden = !view.actions.includes('reroll');
  reroll.addEventListener('click', () => ACTIONS.reroll(job));
  const remove = item.querySelector('.recent-delete');
  remove.hidden = !view.actions.includes('delete');
  remove.addEventListener('click', () => deleteFromRecent(job, remove));
  // Variations and Upscale per still picture of a finished job (a clip has none): each a new job.
  const family = item.querySelector('.recent-family');
  if (view.actions.includes('delete') && entry.kind === 'image') {
    view.images.forEach((image, index) => {
      const number = view.images.length > 1 ? ` ${index + 1}` : '';
      family.append(
        familyButton(`Variations${number}`, 'recent-variations', () => requestVariations(job, index)),
        familyButton(`Upscale${number}`, 'recent-upscale', () => requestUpscale(job, index)),
      );
    });
  }
  const downloads = item.querySelector('.recent-downloads');
  view.images.forEach((image, index) => {
    const link = document.createElement('a');
    link.href = image.url;
    link.download = '';
    link.className = 'download';
    link.textContent = view.images.length > 1 ? `Download ${index + 1}` : 'Download';
    downloads.append(link);
  });
  return item;
}

function familyButton(label, className, run) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = className;
  button.textContent = label;
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await run();
    } catch (error) {
      showError(`network problem: ${error.message}`);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

let recentLoads = 0;
const RECENT_TRIES = 3;

// Drawn again after every change the page makes; a 503 (briefly unavailable) is tried again.
async function loadRecent() {
  if (!token()) return;
  const load = ++recentLoads;
  for (let tries = 1; ; tries++) {
    try {
      const { jobs } = await getJson('/api/anime/jobs/recent');
      if (load !== recentLoads) return; // a newer load started meanwhile: it draws
      $('recent-list').replaceChildren(...jobs.map(drawRecentJob));
      $('recent-empty').hidden = jobs.length > 0;
      $('recent-error').hidden = true;
      return;
    } catch (error) {
      if (error.status === 503 && tries < RECENT_TRIES) {
        await new Promise((resolve) => setTimeout(resolve, 2000));
        continue;
      }
      if (load !== recentLoads) return;
      $('recent-error').textContent = `could not load your recent jobs: ${error.message}`;
      $('recent-error').hidden = false;
      return;
    }
  }
}

async function deleteFromRecent(job, button) {
  button.disabled = true;
  try {
    if (!(await call(job, 'DELETE', 'images'))) return;
    // The job on show loses its files too: its stream, opened again, draws it without them.
    if (current && current.jobId === job.jobId) await follow(job.jobId, job.token);
    await loadRecent();
  } finally {
    button.disabled = false;
  }
}

// --- Studio actions: the reference picture upload (the form's submit) and Variations and Upscale
// (the recent jobs above). ---------------------------------------------------------------------

/**
 * Reference upload: POST /api/uploads (multipart, field `file`); resolves to the asset id the
 * generate body then names as `reference_image` (with `strength`, 0-1). Wired: the form's
 * Reference picture field (submit) calls it.
 */
async function uploadReference(file) {
  const form = new FormData();
  form.append('file', file);
  const response = await fetch('/api/uploads', { method: 'POST', headers: authHeaders(), body: form });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new Refused(json.error ? json.error.message : `HTTP ${response.status}`);
  return json.asset_id;
}

/** Variations of one output of a job: a new job, followed like any other. */
function requestVariations(job, output) {
  const headers = { Authorization: `Bearer ${job.token}`, 'Content-Type': 'application/json' };
  return start(() => fetch(`/api/anime/generation/${job.jobId}/variations`, { method: 'POST', headers, body: JSON.stringify({ output }) }), job.token);
}

/** Upscale of one output of a job: a new job, followed like any other. */
function requestUpscale(job, output) {
  const headers = { Authorization: `Bearer ${job.token}`, 'Content-Type': 'application/json' };
  return start(() => fetch(`/api/anime/generation/${job.jobId}/upscale`, { method: 'POST', headers, body: JSON.stringify({ output }) }), job.token);
}


readTokenFromFragment();
$('generate').addEventListener('submit', submit);
$('reference').addEventListener('change', syncStrength);
$('strength').addEventListener('input', syncStrength);
$('token').addEventListener('change', () => {
  sessionStorage.setItem('ap-token', token());
  void loadChoices();
});
$('project').addEventListener('change', () => {
  loadCharacters().catch((error) => showLoadError(`could not load the characters: ${error.message}`));
});
void loadChoices();
