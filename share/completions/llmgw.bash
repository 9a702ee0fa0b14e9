# bash completion for llmgw. The candidates come from the binary itself (`llmgw
# __complete WORD...`, a hidden command), so they always match the installed version:
# subcommands, options and their values, provider and model names (aliases included) and
# key names.
_llmgw() {
  # The words as typed, split on blanks only, so `--model=gpt` and `ollama/llama3:8b` reach
  # llmgw whole (bash's own COMP_WORDS break them at = and :).
  local line=${COMP_LINE:0:COMP_POINT}
  local -a typed
  read -r -a typed <<<"$line"
  [[ $line =~ [[:space:]]$ ]] && typed+=("")
  [ "${#typed[@]}" -ge 2 ] || return 0
  local answer
  answer=$("${typed[0]}" __complete "${typed[@]:1}" 2>/dev/null) || return 0
  local full=${typed[${#typed[@]} - 1]} cur=${COMP_WORDS[COMP_CWORD]}
  if [ "${answer%%$'\n'*}" = ":files" ]; then
    local IFS=$'\n'
    COMPREPLY=($(compgen -f -- "$cur"))
    return 0
  fi
  # bash replaces only its own current word: drop what comes before it (up to a = or :).
  local strip=""
  [[ $full == *"$cur" ]] && strip=${full:0:${#full}-${#cur}}
  COMPREPLY=()
  local candidate
  while IFS= read -r candidate; do
    case $candidate in "" | :*) continue ;; esac
    candidate=${candidate%%$'\t'*}
    COMPREPLY+=("${candidate#"$strip"}")
  done <<<"$answer"
  return 0
}
complete -F _llmgw llmgw
