-- SPDX-License-Identifier: GPL-3.0-or-later
-- wrk script: POSTs a small non-streaming Anthropic Messages request (model bench-model) to the
-- URL given (Tarn's /v1/messages); the same conversation as post.lua.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["anthropic-version"] = "2023-06-01"
wrk.body = '{"model":"bench-model","max_tokens":16,"messages":[{"role":"user","content":"Say hello in five words."}]}'
