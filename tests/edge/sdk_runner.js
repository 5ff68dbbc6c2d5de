// Runs the official Personalize Edge SDK against an Edge API and prints what it returns.
//
// Reads a program from standard input:
//   {"edgeApiUrl": "http://127.0.0.1:8000/edge", "projectUid": "…", "steps": [{"op": "init", …}, …]}
// and prints {"results": [...]} with one entry per step, or {"results": [...], "error": "…"}
// when a step throws (the SDK's own error message).
'use strict';

const Personalize = require('@contentstack/personalize-edge-sdk');

function readStdin() {
  return new Promise((resolve, reject) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk) => { text += chunk; });
    process.stdin.on('end', () => resolve(text));
    process.stdin.on('error', reject);
  });
}

async function run(program, results) {
  Personalize.setEdgeApiUrl(program.edgeApiUrl);
  let sdk = null;
  for (const step of program.steps) {
    switch (step.op) {
      case 'init': {
        const options = { ...(step.options || {}) };
        if (options.request) {
          options.request = new Request(options.request.url, { headers: options.request.headers || {} });
        }
        sdk = await Personalize.init(program.projectUid, options);
        results.push({ userId: sdk.getUserId() });
        break;
      }
      case 'getExperiences': results.push(sdk.getExperiences()); break;
      case 'getVariants': results.push(sdk.getVariants()); break;
      case 'getVariantAliases': results.push(sdk.getVariantAliases()); break;
      case 'getVariantParam': results.push(sdk.getVariantParam()); break;
      case 'getActiveVariant': results.push(sdk.getActiveVariant(step.experienceShortUid)); break;
      case 'getUserId': results.push(sdk.getUserId()); break;
      case 'set': await sdk.set(step.attributes); results.push(null); break;
      case 'triggerImpression': await sdk.triggerImpression(step.experienceShortUid); results.push(null); break;
      case 'triggerImpressions': await sdk.triggerImpressions(step.options); results.push(null); break;
      case 'triggerEvent': await sdk.triggerEvent(step.eventKey); results.push(null); break;
      case 'setUserId': await sdk.setUserId(step.userId, step.options); results.push(sdk.getUserId()); break;
      default: throw new Error(`Unknown step ${step.op}`);
    }
  }
}

readStdin()
  .then((text) => JSON.parse(text))
  .then(async (program) => {
    const results = [];
    try {
      await run(program, results);
      process.stdout.write(JSON.stringify({ results }));
    } catch (error) {
      process.stdout.write(JSON.stringify({ results, error: String(error && error.message) }));
    }
  })
  .catch((error) => {
    process.stderr.write(String(error && error.stack));
    process.exit(2);
  });
