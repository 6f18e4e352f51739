// HTML of the fixture: a case page whose body is built by its own script after a delay (from inline data
// and the study JSON it fetches), and a sign-in page. Anchors follow reference/sources.md §2.1 and §2.4.
import type { FixtureCase, FixtureImage, FixtureStack } from './cases';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe inside a `<script>` element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

export function imageHash(id: number): string {
  return (id * 2654435761).toString(16).padStart(12, '0').slice(-12);
}

/** One image as `/studies/{id}/stacks` and `var stackedImages` give it (§2.3). */
export function stackImageJson(image: FixtureImage) {
  const hash = imageHash(image.id);
  return {
    id: image.id,
    fullscreen_filename: `/cdn/images/${image.id}/${hash}_big_gallery.jpeg`,
    public_filename: `/cdn/images/${image.id}/${hash}.${image.format === 'mp4' ? 'jpg' : image.format}`,
    plane_projection: image.plane_projection,
    aux_modality: image.aux_modality,
    position: image.position,
    content_type: image.declaredType,
    width: 512,
    height: 512,
    show_feature: false,
    show_pin: false,
    show_case_key_image: false,
    show_stack_key_image: false,
    download_image_url: `/images/${image.id}/download?layout=false`,
    crop_pending: false,
  };
}

export function stacksJson(stacks: FixtureStack[]) {
  return stacks.map((stack) => ({ modality: stack.modality, images: stack.images.map(stackImageJson) }));
}

/** `/studies/{id}/annotated_viewer_json` (§2.3): series with frames and their thumbnailed files. */
export function viewerJson(c: FixtureCase, studyId: number) {
  const study = c.studies.find((s) => s.id === studyId);
  if (!study) return null;
  return {
    study: {
      id: study.id,
      case_id: c.rid,
      modality: study.modality,
      caption: study.caption,
      findings: study.findings,
      series: study.stacks.map((stack, i) => ({
        series_id: study.id * 100 + i + 1,
        stack_root_id: stack.images[0]?.id ?? null,
        perspective: stack.plane_projection,
        specifics: stack.aux_modality,
        content_type: stack.images[0]?.declaredType ?? 'image/jpeg',
        frames: stack.images.map((img) => ({ id: img.id })),
        encodings: {
          thumbnailed_files: stack.images.map((img) => {
            const hash = imageHash(img.id);
            return {
              original: `${hash}.${img.format === 'mp4' ? 'jpg' : img.format}`,
              big_gallery: `${hash}_big_gallery.jpeg`,
              gallery: `${hash}_gallery.jpeg`,
              medium: `${hash}_medium.jpeg`,
            };
          }),
        },
        annotations: [],
      })),
    },
  };
}

// The page's own script: waits, fetches its data (or reads inline data), then builds the body.
const PAGE_SCRIPT = `
(function () {
  var boot = JSON.parse(document.getElementById('case-bootstrap').textContent);
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { node.append(c); });
    return node;
  }
  function loadStudy(study) {
    if (boot.mode === 'inline') return Promise.resolve({ stacks: window.stackedImages });
    var url = boot.mode === 'viewer-json'
      ? '/studies/' + study.id + '/annotated_viewer_json?lang=us'
      : '/studies/' + study.id + '/stacks?lang=us';
    return fetch(url, { credentials: 'same-origin' }).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    }).then(function (json) {
      if (boot.mode !== 'viewer-json') return { stacks: json };
      return { stacks: json.study.series.map(function (s, i) {
        return { modality: json.study.modality, images: s.frames.map(function (f, j) {
          return { id: f.id, fullscreen_filename: '/cdn/images/' + f.id + '/' + s.encodings.thumbnailed_files[j].big_gallery, plane_projection: s.perspective, aux_modality: s.specifics };
        }) };
      }) };
    });
  }
  function render(results) {
    var content = document.getElementById('content');
    content.replaceChildren();
    content.append(el('h1', { class: 'header-title' }, [boot.title]));
    var rows = [['rID', String(boot.caseId)], ['Case published', boot.published]];
    var citation = el('div', { id: 'citation-info' });
    rows.forEach(function (r) {
      citation.append(el('div', { class: 'row' }, [el('div', { class: 'col-sm-3' }, [r[0]]), el('div', { class: 'col-sm-8' }, [r[1]])]));
    });
    var systems = el('div', { class: 'col-sm-8' });
    boot.systems.forEach(function (s, i) {
      if (i) systems.append(', ');
      systems.append(el('a', { href: '/encyclopaedia/all/' + encodeURIComponent(s) }, [s]));
    });
    citation.append(el('div', { class: 'row' }, [el('div', { class: 'col-sm-3' }, ['Systems']), systems]));
    content.append(citation);
    boot.studies.forEach(function (study, i) {
      var carousel = el('div', { class: 'carousel' });
      results[i].stacks.forEach(function (stack) {
        var first = stack.images[0];
        if (!first) return;
        carousel.append(el('figure', { class: 'stack' }, [
          el('img', { src: first.fullscreen_filename, alt: [first.plane_projection, first.aux_modality].filter(Boolean).join(' ') || 'image' }),
          el('figcaption', {}, [String(stack.images.length) + ' images']),
        ]));
      });
      content.append(el('div', { class: 'case-section case-study', id: 'study-' + study.id, 'data-study-id': String(study.id) }, [
        el('div', { class: 'study-modality' }, [el('span', {}, [study.modality])]),
        el('div', { class: 'study-findings' }, [study.findings]),
        carousel,
        el('a', { class: 'view-fullscreen-link', href: '/cases/' + boot.caseId + '/studies/' + study.id }, ['View fullscreen']),
      ]));
    });
  }
  setTimeout(function () {
    Promise.all(boot.studies.map(loadStudy)).then(render, function (err) {
      document.getElementById('content').replaceChildren(el('p', { class: 'load-error' }, ['Something went wrong: ' + err.message]));
    });
  }, boot.delayMs);
})();
`;

export function casePage(c: FixtureCase, delayMs: number): string {
  const firstImage = c.studies[0]?.stacks[0]?.images[0];
  const boot = {
    caseId: c.rid,
    title: c.title,
    published: c.published,
    systems: c.systems,
    mode: c.dataMode,
    delayMs,
    studies: c.studies.map((s) => ({ id: s.id, modality: s.modality, findings: s.findings })),
  };
  const inline =
    c.dataMode === 'inline'
      ? `<script>var stackedImages = ${scriptJson(stacksJson(c.studies[0]?.stacks ?? []))};</script>`
      : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(c.title)} | Radiology Case | Radiopaedia.org</title>
${c.license ? `<link rel="license" href="${escapeHtml(c.license)}">` : ''}
<meta name="author" content="${escapeHtml(c.author)}">
<meta name='dc.identifier' content='doi:10.53347/rID-${c.rid}'>
<meta property="og:description" content="${escapeHtml(c.studies[0]?.findings ?? '')}">
${firstImage ? `<meta property="og:image" content="/cdn/images/${firstImage.id}/${imageHash(firstImage.id)}_big_gallery.jpeg">` : ''}
<link rel="canonical" href="/cases/${escapeHtml(c.slug)}">
</head>
<body>
<div id="content"><p class="loading">Loading case…</p></div>
<script type="application/json" id="case-bootstrap">${scriptJson(boot)}</script>
${inline}
<script>${PAGE_SCRIPT}</script>
</body>
</html>`;
}

export function signInPage(returnTo: string, failed: boolean): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in | Radiopaedia.org</title></head>
<body>
<h1>Sign in</h1>
${failed ? '<p role="alert">Invalid email or password.</p>' : ''}
<form method="post" action="/users/sign_in">
<input type="hidden" name="return_to" value="${escapeHtml(returnTo)}">
<label>Email <input id="user_email" name="email" type="email"></label>
<label>Password <input id="user_password" name="password" type="password"></label>
<button type="submit">Sign in</button>
</form>
</body>
</html>`;
}
