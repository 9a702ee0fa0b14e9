# Writes OUTPUT: a C++ source defining llmgw::k_prices_json from INPUT (a JSON file).
file(READ "${INPUT}" content)
file(WRITE "${OUTPUT}.tmp"
  "#include \"core/pricing_data.hpp\"\nnamespace llmgw {\nconst char* const k_prices_json = R\"llmgwjson(${content})llmgwjson\";\n}\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
