import { formatBytes, formatCount } from '../util/units';
import type { ReportData } from './data';

/**
 * The report as one self-contained HTML page: inline CSS and SVG charts, no script, no
 * font or image from anywhere, so it opens the same offline, attached to an e-mail or
 * archived. Numbers carry data-* attributes naming what they are (tests and scrapers read
 * them); the data itself is embedded as JSON, the same document `report --format json` prints.
 */
export function renderHtml(data: ReportData): string {
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>lakevault report — ${esc(data.generatedAt)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1100px;color:#1d2433;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dde3ec;padding-bottom:4px}
.muted{color:#5b6578}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eef1f5;vertical-align:top}
th{font-weight:600;background:#f6f8fb}td.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;font-size:12px}
.protected{background:#dcf5e3;color:#17663a}.at-risk{background:#fff1d6;color:#8a5300}.unprotected{background:#fde0e0;color:#a01c1c}
.ok{color:#17663a}.bad{color:#a01c1c}.cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid #dde3ec;border-radius:8px;padding:10px 14px;min-width:150px}
.card b{display:block;font-size:20px}svg{background:#fbfcfe;border:1px solid #eef1f5;border-radius:6px}.legend span{margin-right:14px}
</style></head><body>
<h1>lakevault report</h1>
<div class="muted">generated <span data-field="generated-at">${esc(data.generatedAt)}</span> from ${data.repositories.map((r) => `<code>${esc(r)}</code>`).join(', ')}</div>
<div class="cards" style="margin-top:14px">
${card('backups', data.totals.backups, formatCount(data.totals.backups), 'successful backups')}
${card('backup-bytes', data.totals.backupBytes, formatBytes(data.totals.backupBytes), 'held by them')}
${card('reused-bytes', data.totals.reusedBytes, formatBytes(data.totals.reusedBytes), 'reused, not copied')}
${card('drills', data.totals.drills, formatCount(data.totals.drills), `drills, ${data.totals.failedDrills} failed`)}
${card('validations', data.totals.validations, formatCount(data.totals.validations), `validations, ${data.totals.failedValidations} failed`)}
</div>
${protectionSection(data)}
${backupSection(data)}
${drillSection(data)}
${validationSection(data)}
${auditSection(data)}
${data.unreadableRecords ? `<p class="bad">${data.unreadableRecords} history record(s) could not be read and are left out.</p>` : ''}
<script type="application/json" id="lakevault-report-data">${json}</script>
</body></html>
`;
}

function card(field: string, value: number, shown: string, label: string): string {
  return `<div class="card"><b data-field="total-${field}" data-value="${value}">${esc(shown)}</b><span class="muted">${esc(label)}</span></div>`;
}

function protectionSection(data: ReportData): string {
  if (!data.tables.length) return '<h2>Tables</h2><p class="muted">No table has a recorded backup, checkpoint or drill yet.</p>';
  const rows = data.tables.map((t) => `<tr data-table="${esc(t.table)}">
<td><b>${esc(t.table)}</b></td><td><span class="badge ${t.status}" data-field="status">${t.status}</span></td>
<td class="num" data-field="backups" data-value="${t.backups}">${formatCount(t.backups)}</td>
<td>${t.lastBackup ? `${when(t.lastBackup.at)} ${mark(t.lastBackup.ok)}` : '—'}</td>
<td>${t.lastDrill ? `${when(t.lastDrill.at)} ${mark(t.lastDrill.ok)}${t.lastDrill.rtoSeconds !== undefined ? ` RTO <span data-field="rto" data-value="${t.lastDrill.rtoSeconds}">${t.lastDrill.rtoSeconds.toFixed(2)} s</span>` : ''}${t.lastDrill.rpoSeconds !== undefined ? `, RPO <span data-field="rpo" data-value="${t.lastDrill.rpoSeconds}">${t.lastDrill.rpoSeconds.toFixed(2)} s</span>` : ''}` : '—'}</td>
<td>${t.lastValidation ? `${when(t.lastValidation.at)} ${mark(t.lastValidation.ok)}` : '—'}</td>
<td class="muted">${t.reasons.map(esc).join('; ')}</td></tr>`).join('\n');
  return `<h2>Tables and their protection</h2><table><tr><th>table</th><th>status</th><th>backups</th><th>last backup</th><th>last drill</th><th>last validation</th><th>why</th></tr>${rows}</table>`;
}

function backupSection(data: ReportData): string {
  if (!data.backupsByDay.length) return '<h2>Backups over time</h2><p class="muted">No backup recorded.</p>';
  const days = data.backupsByDay;
  const max = Math.max(...days.map((d) => d.copiedBytes + d.reusedBytes), 1);
  const maxCount = Math.max(...days.map((d) => d.count + d.failed), 1);
  const w = 1000, h = 220, left = 60, bottom = 30, top = 10;
  const step = (w - left - 10) / days.length;
  const bar = Math.max(2, Math.min(40, step * 0.7));
  const y = (v: number) => top + (h - top - bottom) * (1 - v / max);
  const bars = days.map((d, i) => {
    const x = left + i * step + (step - bar) / 2;
    const copiedTop = y(d.copiedBytes);
    const reusedTop = y(d.copiedBytes + d.reusedBytes);
    const countY = top + (h - top - bottom) * (1 - d.count / maxCount);
    return `<g data-day="${d.day}"><title>${d.day}: ${d.count} backups, ${formatBytes(d.copiedBytes)} copied, ${formatBytes(d.reusedBytes)} reused</title>
<rect x="${x.toFixed(1)}" y="${copiedTop.toFixed(1)}" width="${bar.toFixed(1)}" height="${(h - bottom - copiedTop).toFixed(1)}" fill="#3867d6"/>
<rect x="${x.toFixed(1)}" y="${reusedTop.toFixed(1)}" width="${bar.toFixed(1)}" height="${(copiedTop - reusedTop).toFixed(1)}" fill="#a5c0f5"/>
<circle cx="${(x + bar / 2).toFixed(1)}" cy="${countY.toFixed(1)}" r="4" fill="#e67e22"/>
${i % Math.ceil(days.length / 10) === 0 ? `<text x="${(x + bar / 2).toFixed(1)}" y="${h - 10}" font-size="11" text-anchor="middle" fill="#5b6578">${d.day.slice(5)}</text>` : ''}</g>`;
  }).join('');
  const rows = days.slice(-14).reverse().map((d) => `<tr data-day="${d.day}"><td>${d.day}</td><td class="num" data-field="count" data-value="${d.count}">${d.count}</td><td class="num" data-field="failed" data-value="${d.failed}">${d.failed}</td><td class="num" data-field="bytes" data-value="${d.bytes}">${formatBytes(d.bytes)}</td><td class="num" data-field="copied" data-value="${d.copiedBytes}">${formatBytes(d.copiedBytes)}</td><td class="num" data-field="reused" data-value="${d.reusedBytes}">${formatBytes(d.reusedBytes)}</td></tr>`).join('');
  return `<h2>Backups over time</h2>
<svg viewBox="0 0 ${w} ${h}" width="100%" role="img" aria-label="bytes copied and reused by backups per day">
${axis(left, top, w, h, bottom, formatBytes(max))}${bars}</svg>
<div class="legend muted"><span style="color:#3867d6">■ copied</span><span style="color:#a5c0f5">■ reused from earlier backups</span><span style="color:#e67e22">● backups that day (max ${maxCount})</span></div>
<table style="margin-top:8px"><tr><th>day</th><th>backups</th><th>failed</th><th>bytes held</th><th>copied</th><th>reused</th></tr>${rows}</table>`;
}

function drillSection(data: ReportData): string {
  if (!data.drills.length) return '<h2>Drills: RTO and RPO</h2><p class="muted">No drill recorded.</p>';
  const tables = [...new Set(data.drills.map((d) => d.table))];
  const charts = tables.map((table) => {
    const drills = data.drills.filter((d) => d.table === table);
    return `<h3 style="font-size:15px">${esc(table)}</h3>${lineChart(drills, 'rtoSeconds', 'rtoTargetSeconds', 'RTO')}${lineChart(drills, 'rpoSeconds', 'rpoTargetSeconds', 'RPO')}`;
  }).join('');
  const rows = data.drills.slice(-20).reverse().map((d) => `<tr data-table="${esc(d.table)}" data-at="${d.at}"><td>${when(d.at)}</td><td>${esc(d.table)}</td><td>${mark(d.ok)}</td>
<td class="num" data-field="rto" data-value="${d.rtoSeconds ?? ''}">${d.rtoSeconds?.toFixed(2) ?? '—'}</td><td class="num">${d.rtoTargetSeconds ?? '—'}</td>
<td class="num" data-field="rpo" data-value="${d.rpoSeconds ?? ''}">${d.rpoSeconds?.toFixed(2) ?? '—'}</td><td class="num">${d.rpoTargetSeconds ?? '—'}</td></tr>`).join('');
  return `<h2>Drills: RTO and RPO against targets</h2>${charts}
<table><tr><th>when</th><th>table</th><th>result</th><th>RTO s</th><th>target</th><th>RPO s</th><th>target</th></tr>${rows}</table>`;
}

function lineChart(drills: ReportData['drills'], field: 'rtoSeconds' | 'rpoSeconds', targetField: 'rtoTargetSeconds' | 'rpoTargetSeconds', label: string): string {
  const points = drills.filter((d) => d[field] !== undefined);
  if (!points.length) return '';
  const target = [...drills].reverse().find((d) => d[targetField] !== undefined)?.[targetField];
  const max = Math.max(...points.map((d) => d[field]!), target ?? 0, 0.001) * 1.15;
  const w = 490, h = 170, left = 50, bottom = 24, top = 18;
  const x = (i: number) => left + (points.length === 1 ? (w - left - 10) / 2 : (i * (w - left - 20)) / (points.length - 1));
  const y = (v: number) => top + (h - top - bottom) * (1 - v / max);
  const path = points.map((d, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(d[field]!).toFixed(1)}`).join(' ');
  const dots = points.map((d, i) => `<circle cx="${x(i).toFixed(1)}" cy="${y(d[field]!).toFixed(1)}" r="3.5" fill="${d.ok ? '#3867d6' : '#c0392b'}"><title>${d.at}: ${label} ${d[field]!.toFixed(2)} s</title></circle>`).join('');
  const targetLine = target !== undefined ? `<line x1="${left}" x2="${w - 10}" y1="${y(target).toFixed(1)}" y2="${y(target).toFixed(1)}" stroke="#c0392b" stroke-dasharray="6 4"/><text x="${w - 12}" y="${(y(target) - 4).toFixed(1)}" font-size="11" text-anchor="end" fill="#c0392b">target ${target} s</text>` : '';
  return `<svg viewBox="0 0 ${w} ${h}" width="49%" role="img" aria-label="${label} over time">${axis(left, top, w, h, bottom, `${max.toFixed(1)} s`)}
<text x="${left + 4}" y="13" font-size="12" fill="#1d2433">${label} (seconds)</text>${targetLine}<path d="${path}" fill="none" stroke="#3867d6" stroke-width="2"/>${dots}</svg> `;
}

function validationSection(data: ReportData): string {
  const cycles = data.cycles.map((c) => {
    const pct = c.coverage === undefined ? undefined : c.coverage * 100;
    return `<tr data-subject="${esc(c.subject)}"><td><code>${esc(c.subject)}</code></td><td class="num" data-field="cycle" data-value="${c.cycle}">${c.cycle}</td>
<td data-field="coverage" data-value="${c.coverage ?? ''}">${pct === undefined ? '—' : `<svg width="120" height="12" style="border:none;background:#eef1f5;vertical-align:middle"><rect width="${(1.2 * pct).toFixed(1)}" height="12" fill="#27ae60"/></svg> ${pct.toFixed(1)} %`}</td>
<td class="num">${c.completedCycles}</td><td>${c.lastCompletedAt ? when(c.lastCompletedAt) : '—'}</td><td class="num ${c.badObjects ? 'bad' : ''}" data-field="bad" data-value="${c.badObjects}">${c.badObjects}</td></tr>`;
  }).join('');
  const recent = data.validations.slice(-15).reverse().map((v) => `<tr><td>${when(v.at)}</td><td><code>${esc(v.subject)}</code></td><td>${mark(v.ok)}</td><td class="num">${formatBytes(v.bytesRead)}</td><td class="num">${v.coverage === undefined ? '' : `${(v.coverage * 100).toFixed(1)} %`}</td></tr>`).join('');
  return `<h2>Validation and verification coverage</h2>
${cycles ? `<table><tr><th>subject</th><th>cycle</th><th>coverage of the current cycle</th><th>cycles completed</th><th>last completed</th><th>bad objects</th></tr>${cycles}</table>` : '<p class="muted">No verification cycle yet (<code>validate &lt;repository or table&gt; --cycle</code>).</p>'}
${recent ? `<h3 style="font-size:15px">Latest validations</h3><table><tr><th>when</th><th>subject</th><th>result</th><th>read</th><th>cycle coverage</th></tr>${recent}</table>` : ''}`;
}

function auditSection(data: ReportData): string {
  const last = data.audits[data.audits.length - 1];
  if (!last) return '<h2>Audit findings</h2><p class="muted">No audit recorded.</p>';
  const severities = ['critical', 'high', 'medium', 'low', 'info'] as const;
  const colors = { critical: '#8e1b1b', high: '#c0392b', medium: '#e67e22', low: '#f1c40f', info: '#95a5a6' };
  const max = Math.max(...severities.map((s) => last[s]), 1);
  const bars = severities.map((s, i) => `<g><rect x="90" y="${8 + i * 26}" width="${((last[s] / max) * 380).toFixed(1)}" height="18" fill="${colors[s]}"/><text x="84" y="${21 + i * 26}" font-size="12" text-anchor="end">${s}</text><text x="${96 + (last[s] / max) * 380}" y="${21 + i * 26}" font-size="12" data-severity="${s}" data-value="${last[s]}">${last[s]}</text></g>`).join('');
  return `<h2>Audit findings by severity</h2><div class="muted">last audit ${when(last.at)} ${mark(last.ok)}; ${data.audits.length} audit(s) recorded</div>
<svg viewBox="0 0 520 ${12 + severities.length * 26}" width="520" role="img" aria-label="audit findings by severity">${bars}</svg>`;
}

function axis(left: number, top: number, w: number, h: number, bottom: number, maxLabel: string): string {
  return `<line x1="${left}" x2="${left}" y1="${top}" y2="${h - bottom}" stroke="#c5cdd8"/><line x1="${left}" x2="${w - 10}" y1="${h - bottom}" y2="${h - bottom}" stroke="#c5cdd8"/>
<text x="${left - 4}" y="${top + 10}" font-size="11" text-anchor="end" fill="#5b6578">${esc(maxLabel)}</text><text x="${left - 4}" y="${h - bottom}" font-size="11" text-anchor="end" fill="#5b6578">0</text>`;
}

function when(iso: string): string {
  return `<time datetime="${esc(iso)}">${esc(iso.slice(0, 16).replace('T', ' '))}</time>`;
}

function mark(ok: boolean): string {
  return ok ? '<span class="ok" data-ok="true">✔ ok</span>' : '<span class="bad" data-ok="false">✘ failed</span>';
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
