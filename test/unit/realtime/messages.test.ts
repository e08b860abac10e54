import { describe, expect, it } from 'vitest';
import { parseClientMessage } from '../../../local/realtime/index.js';

describe('given a raw client frame', () => {
  it('when it is a well-formed start, then it parses into a start message', () => {
    const raw = JSON.stringify({
      type: 'start',
      id: '1',
      payload: { data: '{"query":"subscription { a }"}', extensions: { authorization: { host: 'h' } } },
    });

    expect(parseClientMessage(raw)).toEqual({
      ok: true,
      message: {
        type: 'start',
        id: '1',
        payload: { data: '{"query":"subscription { a }"}', extensions: { authorization: { host: 'h' } } },
      },
    });
  });

  it('when it is connection_init or stop, then it parses', () => {
    expect(parseClientMessage('{"type":"connection_init"}')).toEqual({
      ok: true,
      message: { type: 'connection_init' },
    });
    expect(parseClientMessage('{"type":"stop","id":"9"}')).toEqual({
      ok: true,
      message: { type: 'stop', id: '9' },
    });
  });

  const invalid: [string, string, string, string | undefined][] = [
    ['not JSON', 'nope', 'Message is not valid JSON', undefined],
    ['a JSON array', '[]', 'Message must be a JSON object', undefined],
    ['missing type', '{"id":"1"}', 'Message field "type" must be a string', '1'],
    ['a stop with an empty id', '{"type":"stop","id":""}', 'Message field "id" must be a non-empty string', undefined],
    ['a start without payload', '{"type":"start","id":"1"}', 'Message field "payload" must be an object', '1'],
    [
      'a start whose data is an object',
      '{"type":"start","id":"1","payload":{"data":{}}}',
      'Message field "payload.data" must be a JSON string of {query, variables}',
      '1',
    ],
    [
      'a start whose authorization is a string',
      '{"type":"start","id":"1","payload":{"data":"{}","extensions":{"authorization":"k"}}}',
      'Message field "payload.extensions.authorization" must be an object',
      '1',
    ],
  ];
  for (const [what, raw, message, id] of invalid) {
    it(`when it is ${what}, then a BadRequestException names the problem`, () => {
      const result = parseClientMessage(raw);

      expect(result).toEqual({
        ok: false,
        error: { errorType: 'BadRequestException', message },
        ...(id === undefined ? {} : { id }),
      });
    });
  }

  it('when its type is unknown, then UnsupportedOperation', () => {
    expect(parseClientMessage('{"type":"connection_terminate"}')).toEqual({
      ok: false,
      error: {
        errorType: 'UnsupportedOperation',
        message: 'connection_terminate not supported through the realtime channel',
      },
    });
  });
});
