import { analysePolicy } from '../../src/audit/policy';
import { compareVerdict, CORPUS_BUCKET, loadCorpus, verdictOf, type Comparison } from '../support/policy-corpus';

/**
 * Every policy of the corpus (test/fixtures/policies) judged by the evaluator: the actions
 * anonymous callers and any AWS account can call, their scope, and TLS enforcement must be
 * exactly the expected verdict — no false positive, no false negative.
 */
const corpus = loadCorpus();
const results = new Map<string, Comparison>();

describe('bucket-policy corpus, judged by the evaluator', () => {
  it.each(corpus.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const comparison = compareVerdict(c, verdictOf(analysePolicy(c.policy, CORPUS_BUCKET)));
    results.set(c.name, comparison);
    expect(comparison).toEqual({ falsePositives: [], falseNegatives: [], other: [] });
  });

  it('has at least 50 policies and, over all of them, zero false positives and zero false negatives', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(50);
    const all = corpus.map((c) => results.get(c.name) ?? compareVerdict(c, verdictOf(analysePolicy(c.policy, CORPUS_BUCKET))));
    const totals = { policies: corpus.length, falsePositives: all.flatMap((r) => r.falsePositives).length, falseNegatives: all.flatMap((r) => r.falseNegatives).length };
    process.stdout.write(`policy corpus: ${JSON.stringify(totals)}\n`);
    expect(totals).toEqual({ policies: corpus.length, falsePositives: 0, falseNegatives: 0 });
  });
});
