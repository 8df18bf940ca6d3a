#!/usr/bin/env node
// Sends a scenario of tracking calls through a real tracking SDK from npm.
//
//   node tests/sdk/send.mjs --sdk segment|rudderstack --url http://127.0.0.1:PORT \
//        --write-key KEY --scenario FILE.json [--flush-at N] [--retries N]
//        [--timeout-ms MS]
//
// FILE.json is an array of calls, each an object with "type" (identify, track,
// page, screen, group or alias) and the fields of that call as the SDK's own
// method takes them: userId, anonymousId, traits, event, properties, name,
// category, groupId, previousId, context, integrations, messageId and
// timestamp (an ISO string; it is handed to the SDK as a Date).
//
// Every call is sent, then the SDK is flushed and closed. Exit status: 0 when
// the SDK reported every call delivered, 1 when it reported a delivery error
// (printed on stderr), 2 on a usage or scenario error.

import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

const TYPES = new Set(['identify', 'track', 'page', 'screen', 'group', 'alias'])

function usage(message) {
  if (message) process.stderr.write(`send.mjs: ${message}\n`)
  process.stderr.write(
    'usage: node tests/sdk/send.mjs --sdk segment|rudderstack --url URL ' +
      '--write-key KEY --scenario FILE.json [--flush-at N] [--retries N] [--timeout-ms MS]\n'
  )
  process.exit(2)
}

function parseCommandLine() {
  let values
  try {
    ;({ values } = parseArgs({
      options: {
        sdk: { type: 'string' },
        url: { type: 'string' },
        'write-key': { type: 'string' },
        scenario: { type: 'string' },
        'flush-at': { type: 'string', default: '5' },
        retries: { type: 'string', default: '3' },
        'timeout-ms': { type: 'string', default: '30000' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }))
  } catch (e) {
    usage(e.message)
  }
  if (values.help) usage()
  for (const name of ['sdk', 'url', 'write-key', 'scenario']) {
    if (!values[name]) usage(`--${name} is required`)
  }
  if (!['segment', 'rudderstack'].includes(values.sdk)) {
    usage(`unknown --sdk ${values.sdk}`)
  }
  const int = (name, min) => {
    const n = Number(values[name])
    if (!Number.isInteger(n) || n < min) usage(`--${name} must be an integer >= ${min}`)
    return n
  }
  return {
    sdk: values.sdk,
    url: values.url,
    writeKey: values['write-key'],
    scenario: values.scenario,
    flushAt: int('flush-at', 1),
    retries: int('retries', 0),
    timeoutMs: int('timeout-ms', 1),
  }
}

function loadScenario(file) {
  let calls
  try {
    calls = JSON.parse(readFileSync(file, 'utf8'))
  } catch (e) {
    usage(`cannot read scenario ${file}: ${e.message}`)
  }
  if (!Array.isArray(calls)) usage('the scenario must be a JSON array of calls')
  return calls.map((call, i) => {
    if (call === null || typeof call !== 'object' || !TYPES.has(call.type)) {
      usage(`scenario call #${i}: "type" must be one of ${[...TYPES].join(', ')}`)
    }
    const { type, ...message } = call
    if (typeof message.timestamp === 'string') {
      const t = new Date(message.timestamp)
      if (Number.isNaN(t.getTime())) usage(`scenario call #${i}: bad timestamp`)
      message.timestamp = t
    }
    return { type, message }
  })
}

function describe(err) {
  if (err === undefined || err === null) return String(err)
  if (err instanceof Error) {
    const status = err.response?.status
    return status ? `${err.message} (HTTP ${status})` : err.message || String(err)
  }
  if (typeof err === 'object' && 'reason' in err) return describe(err.reason)
  return String(err)
}

function withTimeout(promise, ms, what) {
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

// Calls `send(callback)` for each message and returns one promise per call that
// settles when the SDK invokes that call's callback, with its error if any.
function sendAll(calls, send, errors) {
  return calls.map(
    ({ type, message }, i) =>
      new Promise((resolve) => {
        try {
          send(type, message, (err) => {
            if (err) errors.push(`call #${i} (${type}): ${describe(err)}`)
            resolve()
          })
        } catch (e) {
          errors.push(`call #${i} (${type}) rejected by the SDK: ${describe(e)}`)
          resolve()
        }
      })
  )
}

async function runSegment(opts, calls, errors) {
  const { Analytics } = await import('@segment/analytics-node')
  const analytics = new Analytics({
    writeKey: opts.writeKey,
    host: opts.url, // the SDK appends path, default "/v1/batch"
    flushAt: opts.flushAt,
    flushInterval: 200,
    maxRetries: opts.retries,
    httpRequestTimeout: 10000,
  })
  analytics.on('error', (e) => errors.push(`segment error (${e.code}): ${describe(e.reason)}`))
  const delivered = sendAll(calls, (type, message, cb) => analytics[type](message, cb), errors)
  await withTimeout(analytics.closeAndFlush({ timeout: opts.timeoutMs }), opts.timeoutMs + 1000, 'closeAndFlush')
  await withTimeout(Promise.all(delivered), opts.timeoutMs, 'delivery')
}

async function runRudderstack(opts, calls, errors) {
  const { default: Analytics } = await import('@rudderstack/rudder-sdk-node')
  const analytics = new Analytics(opts.writeKey, {
    dataPlaneUrl: opts.url, // the SDK appends path, default "/v1/batch"
    flushAt: opts.flushAt,
    flushInterval: 200,
    retryCount: opts.retries, // 0 turns axios-retry off
    timeout: 10000,
    logLevel: 'none',
    // gzip is left at its default (on): bodies go out with Content-Encoding: gzip.
    errorHandler: (err) => errors.push(`rudderstack error: ${describe(err)}`),
  })
  const delivered = sendAll(calls, (type, message, cb) => analytics[type](message, cb), errors)
  // flush() sends at most flushAt messages per call, after any request in flight.
  const drain = async () => {
    while (analytics.queue.length > 0) await analytics.flush()
    if (analytics.pendingFlush) await analytics.pendingFlush
  }
  await withTimeout(drain(), opts.timeoutMs, 'flush')
  await withTimeout(Promise.all(delivered), opts.timeoutMs, 'delivery')
}

async function main() {
  const opts = parseCommandLine()
  const calls = loadScenario(opts.scenario)
  const errors = []
  try {
    if (opts.sdk === 'segment') await runSegment(opts, calls, errors)
    else await runRudderstack(opts, calls, errors)
  } catch (e) {
    errors.push(describe(e))
  }
  // Every callback error is also reported by the SDK-wide error hook; print each once.
  const unique = [...new Set(errors)]
  for (const line of unique) process.stderr.write(`send.mjs: ${line}\n`)
  // Exit explicitly: SDK timers (flush intervals) must not keep the process alive.
  process.exit(unique.length ? 1 : 0)
}

main()
