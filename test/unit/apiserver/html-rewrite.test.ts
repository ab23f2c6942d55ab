// rewriteHTML: only the URL attributes of upstream's table change; comments, scripts, styles and
// broken markup are passed on as they are, and hostile pages end (no quadratic scans, no throw).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { rewriteHTML } from '../../../src/apiserver/registry/core/html-rewrite.js';

const mark = (u: string) => (u.startsWith('/') ? `/P${u}` : u);

it('rewrites URL attributes of the listed elements, in any case and quoting', () => {
  assert.equal(rewriteHTML('<a href="/x">', mark), '<a href="/P/x">');
  assert.equal(rewriteHTML("<IMG SRC='/i.png' alt='/no'>", mark), "<IMG SRC='/P/i.png' alt='/no'>");
  assert.equal(rewriteHTML('<a href=/bare>', mark), '<a href="/P/bare">');
  // A quote that came as a reference goes back as one, whichever quote encloses the value.
  assert.equal(rewriteHTML("<a href='/it&#39;s'>", mark), "<a href='/P/it&#39;s'>");
  assert.equal(rewriteHTML('<a href="/say&quot;hi&quot;">', mark), '<a href="/P/say&quot;hi&quot;">');
  assert.equal(rewriteHTML('<a title="/t" href = "/x?a=1&amp;b=2" data-href="/d">', mark), '<a title="/t" href = "/P/x?a=1&amp;b=2" data-href="/d">');
  assert.equal(rewriteHTML('<form action="/f"><input formaction="/g" src="/h"></form>', mark), '<form action="/P/f"><input formaction="/P/g" src="/P/h"></form>');
  assert.equal(rewriteHTML('<div href="/x"><span src="/y">', mark), '<div href="/x"><span src="/y">');
});

it('leaves comments, scripts, styles and text alone', () => {
  const page = '<!-- <a href="/c"> --><script>x = "<a href=\'/s\'>";</script><STYLE>a[href="/y"]{}</STYLE>/text <a href="/z">';
  assert.equal(rewriteHTML(page, mark), page.replace('href="/z"', 'href="/P/z"'));
  assert.equal(rewriteHTML('<script src="/s.js"></script><a href="/a">', mark), '<script src="/P/s.js"></script><a href="/P/a">');
});

it('ends on broken and hostile markup, changing nothing it cannot read', () => {
  // Text that is no tag, an unclosed comment or script: nothing in them is a link.
  for (const page of ['<a href=', '<!-- <a href="/x">', '<script><a href="/x">', '<', '<<<>>>', '< a href="/x">', 'a < b > c']) {
    assert.equal(rewriteHTML(page, mark), page);
  }
  // Many unclosed raw-text elements, unterminated quotes and stray '<': each scanned once.
  const hostile = '<script>'.repeat(50_000) + '<a href="'.repeat(50_000) + '<'.repeat(100_000);
  assert.equal(rewriteHTML(hostile, mark), hostile);
  const many = '<a href="/x">'.repeat(100_000);
  assert.equal(rewriteHTML(many, mark), '<a href="/P/x">'.repeat(100_000));
});
