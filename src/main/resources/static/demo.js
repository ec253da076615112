// The demo page: sends the chosen, dropped or pasted image (or a sample) to POST /classify?explain=true
// with the model picked, and shows the top 5 and the top class's activation map drawn over the image.
(() => {
  const $ = (id) => document.getElementById(id);
  const drop = $('drop');
  const file = $('file');
  const choice = $('model-choice');
  let models = [];
  let samples = null;

  const chosen = () => models[Number(choice.value)];

  // What the chosen model knows, and the samples when it knows exactly their classes.
  function describe() {
    const m = chosen();
    $('model').textContent = `Model ${m.name} (${m.version}), ${m.numLabels} classes, on ${m.engine}`;
    const shown = m.labels.slice(0, 20).join(', ');
    $('labels').textContent = `It tells apart ${m.numLabels} classes: ${shown}`
      + (m.numLabels > 20 ? `, and ${m.numLabels - 20} more.` : '.')
      + ' Anything else gets a confident-looking but meaningless answer.';
    const fits = samples && JSON.stringify(samples.labels) === JSON.stringify(m.labels);
    $('samples').hidden = !fits;
  }

  fetch('models').then((r) => r.json()).then((listed) => {
    models = listed;
    choice.replaceChildren(...models.map((m, i) => new Option(`${m.name} (version ${m.version})`, String(i))));
    describe();
  }).catch(() => { $('model').textContent = 'The model is not ready yet.'; });

  fetch('samples/index.json').then((r) => r.json()).then((index) => {
    samples = index;
    $('samples-source').textContent = index.source;
    $('sample-list').replaceChildren(...index.images.map((s) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.innerHTML = '<img alt="">';
      button.querySelector('img').src = `samples/${s.file}`;
      button.setAttribute('aria-label', `Classify a sample: ${s.label}`);
      button.title = s.label;
      button.addEventListener('click', async () => classify(await (await fetch(`samples/${s.file}`)).blob()));
      item.append(button);
      return item;
    }));
    if (models.length) describe();
  }).catch(() => {});

  choice.addEventListener('change', describe);

  async function classify(blob) {
    $('error').hidden = true;
    $('preview').src = URL.createObjectURL(blob);
    const m = chosen();
    const model = m ? `&model=${encodeURIComponent(m.name)}&version=${encodeURIComponent(m.version)}` : '';
    const response = await fetch(`classify?topK=5&explain=true${model}`, {
      method: 'POST',
      headers: { 'Content-Type': blob.type || 'application/octet-stream' },
      body: blob,
    });
    const body = await response.json().catch(() => ({ title: `HTTP ${response.status}`, detail: '' }));
    if (!response.ok) {
      $('result').hidden = true;
      $('error-title').textContent = body.title || `HTTP ${response.status}`;
      $('error-detail').textContent = body.detail || '';
      $('error').hidden = false;
      return;
    }
    const list = $('predictions');
    list.replaceChildren(...body.topK.map((p) => {
      const item = document.createElement('li');
      const percent = (100 * p.probability).toFixed(1);
      item.innerHTML = '<div class="label"><span></span><span></span></div><div class="bar"><span></span></div>';
      item.querySelector('.label span:first-child').textContent = p.label;
      item.querySelector('.label span:last-child').textContent = `${percent}%`;
      item.querySelector('.bar span').style.width = `${percent}%`;
      item.setAttribute('aria-label', `${p.label}: ${percent} percent`);
      return item;
    }));
    const e = body.explanation;
    const caption = `Where the evidence for ${e.explained.label} lies (class activation map: blue least, red most)`;
    $('overlay').src = `data:image/png;base64,${e.overlayPng}`;
    $('overlay').alt = caption;
    $('overlay-caption').textContent = caption;
    const t = body.timings;
    $('timings').textContent = `${body.model.name} ${body.model.version}: ${t.totalMs.toFixed(1)} ms in all `
      + `(decode and preprocess ${t.decodeAndPreprocessMs.toFixed(1)}, queue ${t.queueWaitMs.toFixed(1)}, `
      + `inference ${t.inferenceMs.toFixed(1)} ms in a batch of ${t.batchSize}; map and overlay `
      + `${e.renderMs.toFixed(1)} ms)`;
    $('result').hidden = false;
  }

  file.addEventListener('change', () => { if (file.files[0]) classify(file.files[0]); });
  drop.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); file.click(); }
  });
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer.files[0]) classify(e.dataTransfer.files[0]);
  });
  window.addEventListener('paste', (e) => {
    const item = [...e.clipboardData.items].find((i) => i.kind === 'file');
    if (item) classify(item.getAsFile());
  });
})();
