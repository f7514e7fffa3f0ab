/**
 * What each server scenario of @modelcontextprotocol/conformance means for this server
 * (scripts/compat/conformance.ts; docs/clients-and-conformance.md has the same table for people).
 * `pass`: a feature we declare - the scenario must pass. `n/a`: the scenario needs something this
 * server does not declare and, being stateless JSON over HTTP (a fresh server per POST, no
 * session, no SSE stream - cloud/mcp/server.ts), cannot offer; `why` says what.
 */
export type Expectation = { kind: 'pass' } | { kind: 'n/a'; why: string };

const PASS: Expectation = { kind: 'pass' };
const na = (why: string): Expectation => ({ kind: 'n/a', why });
const fixtureTool = (tool: string, more = ''): Expectation =>
  na(`calls the suite's own fixture tool ${tool}${more}; our tools are Airtable's`);
const fixtureResource = (uri: string): Expectation =>
  na(`reads the suite's own fixture resource ${uri}; ours are airtable://bases/{baseId}/schema`);
const fixturePrompt = (name: string): Expectation =>
  na(`gets the suite's own fixture prompt ${name}; ours are Airtable workflows`);
const SERVER_REQUEST =
  ', which sends a request to the client in the middle of the call: that needs a stream back to the client, and a stateless JSON server has none';

export const EXPECTED: Record<string, Expectation> = {
  'server-initialize': PASS,
  ping: PASS,
  'tools-list': PASS,
  'resources-list': PASS,
  'prompts-list': PASS,
  'dns-rebinding-protection': PASS,

  'logging-set-level': na(
    'the logging capability is not declared: log notifications need a stream back to the client (-32601 as the spec asks for an undeclared method)',
  ),
  'completion-complete': na(
    "the completions capability is not declared; the scenario completes an argument of the suite's fixture prompt test_prompt_with_arguments",
  ),
  'tools-call-simple-text': fixtureTool('test_simple_text'),
  'tools-call-image': fixtureTool('test_image_content'),
  'tools-call-audio': fixtureTool('test_audio_content'),
  'tools-call-embedded-resource': fixtureTool('test_embedded_resource'),
  'tools-call-mixed-content': fixtureTool('test_multiple_content_types'),
  'tools-call-error': fixtureTool(
    'test_error_handling',
    ' (our tool errors are isError results too: test/integration/bad-input-mcp.test.ts)',
  ),
  'tools-call-with-logging': fixtureTool(
    'test_tool_with_logging',
    ' and expects log notifications during the call (logging is not declared; no stream)',
  ),
  'tools-call-with-progress': fixtureTool(
    'test_tool_with_progress',
    ' and expects progress notifications during the call (no stream)',
  ),
  'tools-call-sampling': fixtureTool('test_sampling', SERVER_REQUEST),
  'tools-call-elicitation': fixtureTool('test_elicitation', SERVER_REQUEST),
  'elicitation-sep1034-defaults': fixtureTool('test_elicitation_sep1034_defaults', SERVER_REQUEST),
  'elicitation-sep1330-enums': fixtureTool('test_elicitation_sep1330_enums', SERVER_REQUEST),
  'json-schema-2020-12': fixtureTool('json_schema_2020_12_tool'),
  'server-sse-polling': na(
    'SSE polling and resumption (SEP-1699) need a session and an SSE stream; a stateless server issues no Mcp-Session-Id, so the suite skips its checks (warnings only)',
  ),
  'server-sse-multiple-streams': na(
    'needs an Mcp-Session-Id; without one the suite skips its checks (warning only). Concurrent POSTs are covered by test/integration/refresh-single-flight.test.ts',
  ),
  'resources-read-text': fixtureResource('test://static-text'),
  'resources-read-binary': fixtureResource('test://static-binary'),
  'resources-templates-read': fixtureResource('test://template/123/data'),
  'resources-subscribe': na(
    'resources.subscribe is false: update notifications need a stream back to the client',
  ),
  'resources-unsubscribe': na(
    'resources.subscribe is false: update notifications need a stream back to the client',
  ),
  'prompts-get-simple': fixturePrompt('test_simple_prompt'),
  'prompts-get-with-args': fixturePrompt('test_prompt_with_arguments'),
  'prompts-get-embedded-resource': fixturePrompt('test_prompt_with_embedded_resource'),
  'prompts-get-with-image': fixturePrompt('test_prompt_with_image'),
};
