# bash completion for llmgw: subcommands, their options, and provider names for keys.
_llmgw() {
  local cur prev words cword
  _init_completion 2>/dev/null || { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
  local providers="openai anthropic gemini openrouter deepseek groq together mistral azure ollama mock"
  # The command is the first word after the global options (--config FILE, --db FILE).
  local i=1
  while [ "$i" -lt "$cword" ]; do
    case "${words[i]}" in
      --config|--db) i=$((i + 2)) ;;
      -*) i=$((i + 1)) ;;
      *) break ;;
    esac
  done
  local depth=$((cword - i)) command=""
  [ "$depth" -gt 0 ] && command=${words[i]}
  case "$command" in
    chat)
      case "$prev" in
        -m|--model) COMPREPLY=($(compgen -W "mock/echo mock/slow openai/gpt-4o-mini openai/gpt-4o" -- "$cur")); return ;;
      esac
      COMPREPLY=($(compgen -W "-m --model -s --system --temperature --max-tokens --no-stream --cache --no-cache --json -u --usage -v --verbose --key --help" -- "$cur")) ;;
    embed)
      case "$prev" in
        -m|--model) COMPREPLY=($(compgen -W "mock/embed openai/text-embedding-3-small openai/text-embedding-3-large" -- "$cur")); return ;;
        --format) COMPREPLY=($(compgen -W "json ndjson floats base64" -- "$cur")); return ;;
        --file|--lines) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --dimensions|--batch-size|--key) return ;;
      esac
      COMPREPLY=($(compgen -W "-m --model --dimensions --file --lines --batch-size --format -u --usage -q --quiet --key --help" -- "$cur")) ;;
    image)
      case "$prev" in
        -m|--model) COMPREPLY=($(compgen -W "mock/image openai/gpt-image-1 openai/dall-e-3" -- "$cur")); return ;;
        --size) COMPREPLY=($(compgen -W "auto 1024x1024 1024x1536 1536x1024 1792x1024 1024x1792" -- "$cur")); return ;;
        --quality) COMPREPLY=($(compgen -W "low medium high standard hd" -- "$cur")); return ;;
        -o|--output) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        -n|--key) return ;;
      esac
      COMPREPLY=($(compgen -W "-m --model -n --size --quality -o --output --force -u --usage --key --help" -- "$cur")) ;;
    keys)
      if [ "$depth" -eq 1 ]; then COMPREPLY=($(compgen -W "set add list rm path create revoke" -- "$cur")); return; fi
      case "${words[i+1]}" in
        create)
          case "$prev" in
            --budget-period) COMPREPLY=($(compgen -W "day month total" -- "$cur")) ;;
            --expires) COMPREPLY=($(compgen -W "12h 7d 30d 90d" -- "$cur")) ;;
            --budget|--rpm|--tpm|--models) ;;
            *) COMPREPLY=($(compgen -W "--budget --budget-period --rpm --tpm --models --expires --help" -- "$cur")) ;;
          esac ;;
        list) COMPREPLY=($(compgen -W "--clients --json --help" -- "$cur")) ;;
        revoke) COMPREPLY=($(compgen -W "--help" -- "$cur")) ;;
        *) COMPREPLY=($(compgen -W "$providers" -- "$cur")) ;;
      esac ;;
    models)
      case "$prev" in
        -p|--provider) COMPREPLY=($(compgen -W "$providers" -- "$cur")); return ;;
      esac
      COMPREPLY=($(compgen -W "-p --provider --remote --json --key --help" -- "$cur")) ;;
    config)
      if [ "$depth" -eq 1 ]; then COMPREPLY=($(compgen -W "path show" -- "$cur"));
      else COMPREPLY=($(compgen -W "--json -m --model" -- "$cur")); fi ;;
    providers)
      if [ "$depth" -eq 1 ]; then COMPREPLY=($(compgen -W "status" -- "$cur"));
      else COMPREPLY=($(compgen -W "--json --help" -- "$cur")); fi ;;
    serve)
      COMPREPLY=($(compgen -W "--host --port --workers --max-body-mb --grace --cors-origin --log-format -q --quiet --require-key --insecure-no-auth --help" -- "$cur")) ;;
    usage)
      case "$prev" in
        --by) COMPREPLY=($(compgen -W "day week month model provider key source" -- "$cur")); return ;;
        --since|--until) COMPREPLY=($(compgen -W "24h 7d 30d now" -- "$cur")); return ;;
      esac
      COMPREPLY=($(compgen -W "--by --since --until --json --csv --help" -- "$cur")) ;;
    cache)
      if [ "$depth" -eq 1 ]; then COMPREPLY=($(compgen -W "stats clear" -- "$cur"));
      else COMPREPLY=($(compgen -W "--json --help" -- "$cur")); fi ;;
    db)
      if [ "$depth" -eq 1 ]; then COMPREPLY=($(compgen -W "check" -- "$cur"));
      else COMPREPLY=($(compgen -W "--json --help" -- "$cur")); fi ;;
    *)
      case "$prev" in
        --config|--db) COMPREPLY=($(compgen -f -- "$cur")); return ;;
      esac
      COMPREPLY=($(compgen -W "chat embed image keys config models providers serve usage cache db --help --version --config --db" -- "$cur")) ;;
  esac
}
complete -F _llmgw llmgw
