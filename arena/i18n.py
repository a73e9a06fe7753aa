"""The one message catalog: every user-facing string, in English and Simplified Chinese.

Look strings up with `translate(lang, key, **values)`. Both catalogs must have the same keys and the
same `{placeholders}`; a test checks it.
"""

from __future__ import annotations

LANGUAGES = {"en": "English", "zh": "简体中文"}

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "app.title": "Local model arena",
        "nav.arena": "Arena",
        "nav.leaderboard": "Leaderboard",
        "board.title": "🏆 Leaderboard",
        "board.intro": "Bradley–Terry ratings on the Elo scale (mean 1000) from the blind votes, "
                       "with 95% intervals. A tie or a both-bad counts as half a win for each "
                       "side; votes on failed battles, or where an answer named a model, do not "
                       "count.",
        "board.category": "Category",
        "board.overall": "Overall",
        "board.dates": "Battle dates (UTC)",
        "board.dates_help": "Leave empty for all time; pick one day to start from it.",
        "board.voter": "Voter",
        "board.everyone": "Everyone",
        "board.computing": "Computing ratings…",
        "board.empty": "No votes yet. Battles on the Arena page fill this leaderboard.",
        "board.empty_filtered": "No counted votes match these filters.",
        "board.empty_category": "No counted votes in this category yet.",
        "board.show_history": "Show the rating over time (reads every vote: slow with many)",
        "board.go_arena": "Go to the Arena",
        "board.col.rank": "Rank",
        "board.col.model": "Model",
        "board.col.rating": "Rating",
        "board.col.interval": "95% interval",
        "board.col.votes": "Votes",
        "board.col.win_rate": "Win rate",
        "board.col.provisional": "Provisional",
        "board.help.rank": "1 + the number of models that are better beyond doubt (their "
                           "interval lies wholly above this one). Shared ranks are expected.",
        "board.help.rating": "Bradley–Terry maximum likelihood, 400 · log10 odds, mean 1000.",
        "board.help.interval": "How far the 95% interval reaches above and below the rating "
                               "(bootstrap of the votes).",
        "board.help.win_rate": "Share of this model's votes that it won outright (ties are not "
                               "wins).",
        "board.help.provisional": "Fewer than {min_votes} votes: the rating may still move a lot.",
        "board.download": "⬇️ Download this leaderboard (CSV)",
        "chart.ratings": "Ratings with 95% intervals",
        "chart.rating_axis": "Rating (Elo scale)",
        "chart.win_fraction": "Win share of the row model against the column model (ties left out)",
        "chart.win_share": "Win share",
        "chart.battle_counts": "Battles per pair",
        "chart.battles": "Battles",
        "chart.model": "Model",
        "chart.opponent": "Opponent",
        "chart.over_time": "Rating over time (online Elo, K = {k})",
        "chart.time_axis": "Battle time",
        "chart.elo_axis": "Elo",
        "sidebar.language": "Language",
        "sidebar.voter": "Your nickname (stored with your votes)",
        "sidebar.voter_help": "Leave empty to vote as “anonymous”.",
        "sidebar.host": "Ollama: {host}",
        "arena.title": "⚔️ Arena",
        "arena.intro": "Two anonymous local models answer the same prompt side by side. "
                       "Vote for the better answer; the names are revealed after your vote.",
        "arena.category": "Task category",
        "arena.preset": "Preset prompt (optional)",
        "arena.preset_none": "— write your own —",
        "arena.prompt": "Your prompt",
        "arena.prompt_placeholder": "Type a real task you care about…",
        "arena.thinking": "Thinking",
        "arena.thinking.default": "Model default",
        "arena.thinking.on": "On",
        "arena.thinking.off": "Off",
        "arena.thinking_help": "“On” draws only models that can think; “Off” asks thinking models "
                               "to answer directly. Both sides always get the same setting.",
        "arena.battle": "⚔️ Battle",
        "arena.stop": "⏹ Stop",
        "arena.models_available": "{count} models available for this battle.",
        "arena.settings": "Battle settings (the same for both sides)",
        "arena.settings_body": "temperature {temperature} · num_ctx {num_ctx} · "
                               "num_predict {num_predict} · seed {seed}",
        "arena.seed_random": "random per battle",
        "arena.model_a": "Model A",
        "arena.model_b": "Model B",
        "arena.thinking_label": "💭 Thinking",
        "arena.waiting": "Waiting for the first token…",
        "arena.empty_answer": "(empty answer)",
        "arena.vote_prompt": "Which answer is better?",
        "vote.model_a": "👈 A is better",
        "vote.model_b": "👉 B is better",
        "vote.tie": "🤝 Tie",
        "vote.tie (bothbad)": "👎 Both are bad",
        "vote.recorded": "Thanks, your vote was recorded: {choice}.",
        "vote.not_counted": "This vote is stored but does not count in the ratings: "
                            "an answer named a model, so it was not blind.",
        "vote.already_voted": "This battle already has a vote; votes cannot be changed.",
        "vote.battle_failed": "This battle failed, so it cannot be voted on.",
        "vote.unknown_battle": "This battle was not found in the database.",
        "vote.bad_winner": "That is not a valid vote.",
        "reveal.title": "The contestants",
        "reveal.thinking_mode": "thinking: {mode}",
        "reveal.metric": "Figure",
        "reveal.ttft": "Time to first token (s)",
        "reveal.total": "Total time (s)",
        "reveal.load": "Load time (s)",
        "reveal.tokens": "Output tokens",
        "reveal.tps": "Tokens/s",
        "arena.new_round": "🔄 New round",
        "battle.failed": "This battle failed, so it cannot be voted on. It was saved as failed; "
                         "start a new round to try again.",
        "battle.stopped": "The battle was stopped. It was saved as unfinished and cannot be voted on.",
        "prompt.empty": "Type a prompt (or pick a preset) before starting a battle.",
        "prompt.too_long": "The prompt is too long: the limit is {limit} characters "
                           "(it has {length}). Shorten it, or raise ARENA_MAX_PROMPT_CHARS.",
        "ollama.unreachable": "Could not reach Ollama at {host}. Start it with `ollama serve` "
                              "(or open the Ollama app), or point OLLAMA_HOST at the machine "
                              "that runs it.",
        "ollama.too_few_models": "A battle needs at least two models, and {count} can take part. "
                                 "Add one with the command below, then reload this page.",
        "ollama.too_few_thinking": "Only {count} models that can think are available. "
                                   "Choose “Model default” or “Off” for thinking, or pull a "
                                   "thinking model such as qwen3:8b.",
        "failure.unreachable": "Could not connect to Ollama for this answer.",
        "failure.model_not_found": "Ollama no longer has this model (it may have been removed). "
                                   "Reload the page to refresh the model list.",
        "failure.thinking_unsupported": "This model cannot think. Choose “Model default” or "
                                        "“Off” for thinking.",
        "failure.busy": "Ollama is busy (too many requests queued). Try again in a moment.",
        "failure.stream_error": "Ollama reported an error while generating this answer.",
        "failure.connection_lost": "The connection to Ollama was lost before this answer "
                                   "was complete.",
        "failure.timeout": "Ollama sent nothing for {timeout} seconds, so this answer was given "
                           "up. If models load slowly, raise ARENA_OLLAMA_TIMEOUT.",
        "failure.stopped": "Stopped before the answer was complete.",
        "failure.error": "Ollama returned an error for this answer.",
        "error.storage": "Could not write to the database at {path} ({reason}). The answers are "
                         "shown but not saved, so this battle cannot be voted on. Check the disk "
                         "and file permissions, or set ARENA_DB.",
        "error.storage_vote": "Could not save your vote to the database at {path} ({reason}). "
                              "Please try again.",
        "error.settings": "The arena's configuration is invalid: {reason}. Fix the environment "
                          "variable and restart the app.",
        "error.database_open": "Could not open the database at {path} ({reason}). Set ARENA_DB "
                               "to a file in a folder this server can write to.",
        "category.general": "General",
        "category.general.description": "Anything: questions, advice, explanations.",
        "category.classification": "Classification",
        "category.classification.description": "Put a text into one of the given labels.",
        "category.copywriting": "Copywriting",
        "category.copywriting.description": "Slogans, taglines, product blurbs and ads.",
        "category.coding": "Coding",
        "category.coding.description": "Write, explain, review or fix code.",
        "category.math": "Math & reasoning",
        "category.math.description": "Problems with one right answer, and the steps to it.",
        "category.translation": "Translation",
        "category.translation.description": "Translate between languages, keeping tone and meaning.",
    },
    "zh": {
        "app.title": "本地模型竞技场",
        "nav.arena": "竞技场",
        "nav.leaderboard": "排行榜",
        "board.title": "🏆 排行榜",
        "board.intro": "根据盲评投票计算的 Bradley–Terry 评分（Elo 尺度，平均 1000），附 95% 置信区间。"
                       "平局或“都不好”各算双方半场胜利；失败对战的投票、以及回答中提到模型名称的投票不计入。",
        "board.category": "类别",
        "board.overall": "总榜",
        "board.dates": "对战日期（UTC）",
        "board.dates_help": "留空表示全部时间；只选一天则从该天开始。",
        "board.voter": "投票人",
        "board.everyone": "所有人",
        "board.computing": "正在计算评分……",
        "board.empty": "还没有投票。在竞技场页面对战并投票后，这里就会出现排行榜。",
        "board.empty_filtered": "没有符合这些筛选条件的有效投票。",
        "board.empty_category": "这个类别还没有有效投票。",
        "board.show_history": "显示评分随时间的变化（需读取全部投票，票数多时较慢）",
        "board.go_arena": "前往竞技场",
        "board.col.rank": "排名",
        "board.col.model": "模型",
        "board.col.rating": "评分",
        "board.col.interval": "95% 区间",
        "board.col.votes": "票数",
        "board.col.win_rate": "胜率",
        "board.col.provisional": "暂定",
        "board.help.rank": "1 + 明确优于该模型的模型数（其区间完全高于该模型的区间）。并列排名是正常的。",
        "board.help.rating": "Bradley–Terry 最大似然估计，400 · log10 赔率，平均 1000。",
        "board.help.interval": "95% 区间在评分上下延伸的幅度（对投票做自助法重抽样）。",
        "board.help.win_rate": "该模型直接获胜的投票占比（平局不算胜）。",
        "board.help.provisional": "票数少于 {min_votes}：评分仍可能大幅变化。",
        "board.download": "⬇️ 下载此排行榜（CSV）",
        "chart.ratings": "评分及 95% 区间",
        "chart.rating_axis": "评分（Elo 尺度）",
        "chart.win_fraction": "行模型对列模型的胜率（不含平局）",
        "chart.win_share": "胜率",
        "chart.battle_counts": "每对模型的对战次数",
        "chart.battles": "对战次数",
        "chart.model": "模型",
        "chart.opponent": "对手",
        "chart.over_time": "评分随时间变化（在线 Elo，K = {k}）",
        "chart.time_axis": "对战时间",
        "chart.elo_axis": "Elo",
        "sidebar.language": "语言",
        "sidebar.voter": "你的昵称（随投票一起保存）",
        "sidebar.voter_help": "留空则以“anonymous”（匿名）投票。",
        "sidebar.host": "Ollama：{host}",
        "arena.title": "⚔️ 竞技场",
        "arena.intro": "两个匿名的本地模型并排回答同一个提示词。请为更好的回答投票；投票后才会揭晓模型名称。",
        "arena.category": "任务类别",
        "arena.preset": "预设提示词（可选）",
        "arena.preset_none": "— 自己输入 —",
        "arena.prompt": "你的提示词",
        "arena.prompt_placeholder": "输入一个你真正关心的任务……",
        "arena.thinking": "思考模式",
        "arena.thinking.default": "模型默认",
        "arena.thinking.on": "开启",
        "arena.thinking.off": "关闭",
        "arena.thinking_help": "“开启”只会抽取支持思考的模型；“关闭”会让思考模型直接作答。双方的设置始终相同。",
        "arena.battle": "⚔️ 开始对战",
        "arena.stop": "⏹ 停止",
        "arena.models_available": "本次对战可用的模型有 {count} 个。",
        "arena.settings": "对战参数（双方相同）",
        "arena.settings_body": "temperature {temperature} · num_ctx {num_ctx} · "
                               "num_predict {num_predict} · seed {seed}",
        "arena.seed_random": "每场随机",
        "arena.model_a": "模型 A",
        "arena.model_b": "模型 B",
        "arena.thinking_label": "💭 思考过程",
        "arena.waiting": "等待第一个词元……",
        "arena.empty_answer": "（回答为空）",
        "arena.vote_prompt": "哪个回答更好？",
        "vote.model_a": "👈 A 更好",
        "vote.model_b": "👉 B 更好",
        "vote.tie": "🤝 平局",
        "vote.tie (bothbad)": "👎 都不好",
        "vote.recorded": "谢谢，你的投票已记录：{choice}。",
        "vote.not_counted": "这张票已保存，但不计入评分：有回答提到了模型名称，因此不再是盲评。",
        "vote.already_voted": "这场对战已经有投票了；投票不能更改。",
        "vote.battle_failed": "这场对战失败了，不能投票。",
        "vote.unknown_battle": "数据库中找不到这场对战。",
        "vote.bad_winner": "这不是有效的投票。",
        "reveal.title": "参赛模型",
        "reveal.thinking_mode": "思考：{mode}",
        "reveal.metric": "指标",
        "reveal.ttft": "首个词元时间（秒）",
        "reveal.total": "总耗时（秒）",
        "reveal.load": "加载时间（秒）",
        "reveal.tokens": "输出词元数",
        "reveal.tps": "词元/秒",
        "arena.new_round": "🔄 新一轮",
        "battle.failed": "这场对战失败了，不能投票。它已作为失败记录保存；开始新一轮即可重试。",
        "battle.stopped": "对战已停止。它已作为未完成记录保存，不能投票。",
        "prompt.empty": "开始对战前，请输入提示词（或选择一个预设）。",
        "prompt.too_long": "提示词太长：上限为 {limit} 个字符（当前 {length} 个）。"
                           "请缩短，或调高 ARENA_MAX_PROMPT_CHARS。",
        "ollama.unreachable": "无法连接到 {host} 上的 Ollama。请用 `ollama serve` 启动它"
                              "（或打开 Ollama 应用），或把 OLLAMA_HOST 指向运行它的机器。",
        "ollama.too_few_models": "对战至少需要两个模型，目前可参赛的有 {count} 个。"
                                 "请用下面的命令添加一个，然后刷新本页。",
        "ollama.too_few_thinking": "支持思考的模型只有 {count} 个。请把思考模式设为“模型默认”或“关闭”，"
                                   "或拉取一个思考模型，例如 qwen3:8b。",
        "failure.unreachable": "无法为这个回答连接到 Ollama。",
        "failure.model_not_found": "Ollama 上已没有这个模型（可能已被删除）。请刷新页面以更新模型列表。",
        "failure.thinking_unsupported": "这个模型不支持思考。请把思考模式设为“模型默认”或“关闭”。",
        "failure.busy": "Ollama 正忙（排队的请求太多）。请稍后再试。",
        "failure.stream_error": "Ollama 在生成这个回答时报告了错误。",
        "failure.connection_lost": "回答完成之前，与 Ollama 的连接断开了。",
        "failure.timeout": "Ollama 已有 {timeout} 秒没有返回任何内容，因此放弃了这个回答。"
                           "如果模型加载较慢，请调高 ARENA_OLLAMA_TIMEOUT。",
        "failure.stopped": "回答完成之前已停止。",
        "failure.error": "Ollama 为这个回答返回了错误。",
        "error.storage": "无法写入位于 {path} 的数据库（{reason}）。回答已显示但未保存，因此这场对战不能投票。"
                         "请检查磁盘空间和文件权限，或设置 ARENA_DB。",
        "error.storage_vote": "无法把你的投票保存到位于 {path} 的数据库（{reason}）。请重试。",
        "error.settings": "竞技场的配置无效：{reason}。请修正该环境变量后重启应用。",
        "error.database_open": "无法打开位于 {path} 的数据库（{reason}）。请把 ARENA_DB 设为"
                               "本服务器可写目录中的文件。",
        "category.general": "通用",
        "category.general.description": "任何问题：提问、建议、解释。",
        "category.classification": "分类",
        "category.classification.description": "把一段文本归入给定的标签之一。",
        "category.copywriting": "文案",
        "category.copywriting.description": "口号、标语、产品简介和广告。",
        "category.coding": "编程",
        "category.coding.description": "编写、解释、审查或修复代码。",
        "category.math": "数学与推理",
        "category.math.description": "有唯一正确答案的问题，以及求解步骤。",
        "category.translation": "翻译",
        "category.translation.description": "在语言之间翻译，保留语气和含义。",
    },
}


def normalise_language(lang: str | None) -> str:
    return "zh" if (lang or "").lower().startswith("zh") else "en"


def has_message(key: str) -> bool:
    return key in MESSAGES["en"]


def translate(lang: str, key: str, **values: object) -> str:
    """The message `key` in `lang`, falling back to English; `values` fill its placeholders."""
    catalog = MESSAGES.get(normalise_language(lang), MESSAGES["en"])
    text = catalog.get(key) or MESSAGES["en"][key]
    return text.format(**values) if values else text
