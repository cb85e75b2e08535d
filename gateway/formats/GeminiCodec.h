// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/formats/Codec.h"

#include <string>
#include <string_view>

namespace tarn::gateway {

// Gemini generateContent (REST v1beta) <-> the internal representation. The model and streaming
// are in the URL, not the body: decodeRequest leaves Request::model and stream for the caller, and
// encodeRequest writes neither.
//
// Mapping choices a reader of the other codecs should know:
// - Request decoding: a functionResponse without an id answers the earliest unanswered call of
//   that name; calls without an id get ir::newId("call_"). A function's `parameters` (Google's
//   OpenAPI subset, types in capitals) is rewritten with lower-case types so other formats accept
//   it; `parametersJsonSchema` is taken as it is. Built-in tools (googleSearch, codeExecution…),
//   safetySettings, cachedContent, candidateCount, penalties and seed are dropped.
// - Request encoding: thoughts are not sent back (Gemini keeps no foreign thoughts); a call's id is
//   not sent; the first call of a model turn without a thoughtSignature gets Google's documented
//   "skip_thought_signature_validator" (Gemini 3 rejects unsigned calls replayed from another
//   model); a signature riding in the id (ir::idWithSignature) is used when the part has none.
// - Usage: input also counts toolUsePromptTokenCount (Google bills it as prompt); output counts
//   thoughts (candidatesTokenCount does not).
class GeminiCodec final : public Codec
{
public:
    ApiFormat format() const override;

    Result<ir::Request> decodeRequest(std::string_view json) const override;
    std::string encodeRequest(const ir::Request &request, const RequestTarget &target) const override;

    Result<ir::Response> decodeResponse(std::string_view json) const override;
    std::string encodeResponse(const ir::Response &response) const override;

    std::unique_ptr<StreamDecoder> newStreamDecoder() const override;
    std::unique_ptr<StreamEncoder> newStreamEncoder(const StreamEncoderOptions &options) const override;

    ir::ApiError decodeError(int status, std::string_view body) const override;
    std::string encodeError(const ir::ApiError &error) const override;
};

// A countTokens body for `request` on `model` ("gemini-2.5-flash" or "models/gemini-2.5-flash"):
// {"generateContentRequest":{"model":"models/…","contents",…,"systemInstruction","tools"}}.
std::string geminiCountTokensBody(const ir::Request &request, const std::string &model);
// A countTokens answer's totalTokens; -1 when the body is not one.
qint64 geminiCountTokensResult(std::string_view json);

} // namespace tarn::gateway
