// The demo page: sends the chosen, dropped or pasted image to POST /classify?explain=true and shows
// the top 5 and the top class's activation map drawn over the image.
(() => {
  const $ = (id) => document.getElementById(id);
  const drop = $('drop');
  const file = $('file');

  fetch('models').then((r) => r.json()).then((models) => {
    const m = models[0];
    $('model').textContent = `Model ${m.name} (${m.version}), ${m.numLabels} classes, on ${m.engine}`;
  }).catch(() => { $('model').textContent = 'The model is not ready yet.'; });

  async function classify(blob) {
    $('error').hidden = true;
    $('preview').src = URL.createObjectURL(blob);
    const response = await fetch('classify?topK=5&explain=true', {
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
