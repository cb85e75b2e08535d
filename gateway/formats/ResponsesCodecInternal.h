// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What the ResponsesCodec*.cpp files share; not part of the codec's interface. Requests are in
// ResponsesCodecRequest.cpp, whole answers in ResponsesCodecResponse.cpp, streams in
// ResponsesCodecStream.cpp.

#include "gateway/formats/Codec.h"

#include <memory>

namespace tarn::gateway::responses {

std::unique_ptr<StreamDecoder> newStreamDecoder();
std::unique_ptr<StreamEncoder> newStreamEncoder(const StreamEncoderOptions &options);

} // namespace tarn::gateway::responses
