/// Shell completion: `skp --completion bash|zsh|fish` prints a script that asks skp itself for
/// task names (`--complete-tasks`) and a task's flags (`--complete-flags TASK`), so completion
/// always matches the task files in use.
public enum Completion {
    public static func tasks(_ library: TaskLibrary) -> String {
        library.order.joined(separator: "\n") + "\n"
    }

    public static func flags(_ task: TaskDefinition?) -> String {
        var flags = task.map { $0.decl.params.flatMap { p in ["--\(p.name)"] + (p.short.map { ["-\($0)"] } ?? []) } } ?? []
        // Every option the parser accepts, from the same table.
        flags += OptionSpec.listed.map { "--" + $0.long }
        return flags.joined(separator: "\n") + "\n"
    }

    public static func script(for shell: String) -> String? {
        switch shell {
        case "bash": return bash
        case "zsh": return zsh
        case "fish": return fish
        default: return nil
        }
    }

    static let bash = #"""
    # skp completion for bash: source it, or put it in /etc/bash_completion.d/skp
    _skp() {
        local cur=${COMP_WORDS[COMP_CWORD]} task="" i
        for ((i = COMP_CWORD - 1; i > 0; i--)); do
            case ${COMP_WORDS[i]} in -*) ;; *.*) task=${COMP_WORDS[i]}; break ;; esac
        done
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" --complete-flags "$task" 2>/dev/null)" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" --complete-tasks 2>/dev/null)" -- "$cur"))
        fi
    }
    complete -F _skp skp ./skp

    """#

    static let zsh = #"""
    #compdef skp
    # skp completion for zsh: put it in a folder of $fpath as _skp
    _skp() {
        local task="" w
        for w in ${(Oa)words[1,CURRENT-1]}; do
            [[ $w == *.* && $w != -* ]] && { task=$w; break; }
        done
        if [[ $PREFIX == -* ]]; then
            compadd -- ${(f)"$(${words[1]} --complete-flags "$task" 2>/dev/null)"}
        else
            compadd -- ${(f)"$(${words[1]} --complete-tasks 2>/dev/null)"}
        fi
    }
    compdef _skp skp ./skp

    """#

    static let fish = #"""
    # skp completion for fish: put it in ~/.config/fish/completions/skp.fish
    function __skp_task
        for w in (commandline -opc)[-1..2]
            if string match -q -- '*.*' $w; and not string match -q -- '-*' $w
                echo $w; return
            end
        end
    end
    complete -c skp -f -n 'not string match -q -- "-*" (commandline -ct)' -a '(skp --complete-tasks 2>/dev/null)'
    complete -c skp -f -n 'string match -q -- "-*" (commandline -ct)' -a '(skp --complete-flags (__skp_task) 2>/dev/null)'

    """#
}
