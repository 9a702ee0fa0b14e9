# fish completion for llmgw. The candidates, with descriptions, come from the binary itself
# (`llmgw __complete WORD...`, a hidden command), so they always match the installed
# version: subcommands, options and their values, provider and model names (aliases
# included) and key names.
function __llmgw_complete
    # The words up to the cursor, the last one (perhaps empty) being completed.
    set -l line (commandline -cp | string collect --allow-empty)
    set -l typed (string split -n ' ' -- $line)
    string match -qr '\s$' -- "$line"; and set -a typed ''
    set -l answer ($typed[1] __complete $typed[2..-1] 2>/dev/null)
    or return
    if test "$answer[1]" = ":files"
        __fish_complete_path (commandline -ct)
        return
    end
    string join \n -- $answer[2..-1]
end
complete -c llmgw -f -a '(__llmgw_complete)'
