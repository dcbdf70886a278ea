"""Software docs people look things up in: READMEs, CLI and config references, changelogs, issues, API docs."""

from agent.reading.scenes import Scene

SCENES: tuple[Scene, ...] = (
    Scene("tarnfold_README.md", "# tarnfold\n\nBuilds a small static site out of your Markdown notes folder. Linux "
          "and macOS; Windows is best effort.\n\n## Install\n\n    pipx install tarnfold\n\nNeeds Python {python} or "
          "newer. Stuck on an older system? Standalone builds are at {url}.\n\n## Usage\n\n    tarnfold init\n    "
          "tarnfold serve      # preview at http://localhost:{port}\n\n`serve` rebuilds whenever you save. Add "
          "`{flag}` if you don't want pages marked `draft: true` in the preview.\n\n## Configuration\n\nEverything "
          "lives in `{config}` at the root of your notes folder. To keep it elsewhere, set `{env}` to its path.\n",
          {"python": ("3.9", "3.10", "3.11"), "url": "url", "port": "port", "flag": "flag", "config": "filename",
           "env": ("TARNFOLD_CONFIG", "TARNFOLD_CFG", "TARNFOLD_SETTINGS")},
          (("python", "What's the oldest Python tarnfold will run on?", "which python version do i need for this?"),
           ("port", "I've started the preview. Which port do I open in the browser?", "What port does serve use?"),
           ("flag", "How do I keep draft pages out of the preview?", "Is there an option to hide drafts when serving?"),
           ("config", "What's tarnfold's settings file called?", "Which file do I edit to configure it?"),
           ("env", "I want the config outside my notes folder, what do I set?", "Which env var moves the config?"),
           ("url", "pipx won't work on my machine, where can I get a standalone build?")),
          ("Which licence is tarnfold released under?", "How do I publish the finished site to a web host?")),
    Scene("ledgerline_import_options.md", "## `ledgerline import`\n\nLoads CSV exports into the ledger database. "
          "Options:\n\n| Flag | Default | What it does |\n|------|---------|--------------|\n| `--batch-size` | "
          "{batch} | rows written per transaction |\n| `--workers` | {workers} | files read in parallel |\n| "
          "`--encoding` | `{encoding}` | encoding of the input files |\n| `{skipflag}` | off | skip rows that fail "
          "validation instead of aborting |\n| `--log-level` | `{level}` | debug, info, warn or error |\n\n"
          "`--workers` is capped at the number of CPU cores whatever you pass. With skipping on, rejected rows are "
          "written to `{rejects}` so you can fix them later.\n",
          {"batch": "number", "workers": "small_number", "encoding": ("utf-8", "latin-1", "cp1252"), "skipflag": "flag",
           "level": ("info", "warn", "error"), "rejects": ("rejects.csv", "import_errors.log", "skipped_rows.csv")},
          (("batch", "How many rows does ledgerline commit at a time unless I change it?", "default batch size?"),
           ("workers", "By default how many files does import read at once?", "what's --workers set to normally?"),
           ("skipflag", "My import stops at the first bad row. Can I make it carry on?", "Which flag skips bad rows?"),
           ("encoding", "What encoding does it assume for my CSVs if I don't say?"),
           ("level", "How chatty is the logging out of the box? What's the default level?"),
           ("rejects", "If I skip the bad rows, where do they end up?", "Which file collects rejected rows?")),
          ("What's the largest batch size import accepts?", "Can ledgerline import read spreadsheets directly?")),
    Scene("mirrorcat_configuration.md", "# Configuration reference\n\nmirrorcat reads "
          "`/etc/mirrorcat/mirrorcat.toml` at startup. A full example, showing the defaults:\n\n```toml\n[server]\n"
          "bind = \"0.0.0.0\"\nport = {port}\n\n[cache]\ndir = \"{cachedir}\"\nmax_size_gb = {maxsize}   # oldest "
          "files are evicted first\nrefresh_after = \"{ttl}\"\n\n[upstream]\nurl = \"{upstream}\"\nheaders = {{ "
          "\"User-Agent\" = \"mirrorcat\" }}\n```\n\nChanging `dir` doesn't move what's already cached.\n",
          {"port": "port", "cachedir": ("/var/cache/mirrorcat", "/srv/mirrorcat/cache", "/data/mirror"),
           "maxsize": "small_number", "ttl": "hours", "upstream": "url"},
          (("port", "Which port does mirrorcat listen on by default?", "what port do i point my clients at?"),
           ("maxsize", "How many gigabytes can the cache grow to?", "What's the default cache size limit in GB?"),
           ("ttl", "How long before a cached file gets fetched again?", "how long is stuff kept before a refresh?"),
           ("upstream", "Where does it download things from when they aren't cached yet?"),
           ("cachedir", "Where are the cached files stored on disk?", "Which directory holds the cache?")),
          ("Can mirrorcat serve HTTPS itself?", "How do I empty the cache by hand?")),
    Scene(".tendbot.yml", "# .tendbot.yml (annotated example, copy into your repo root)\n\nschedule:\n  day: {day}   "
          "       # when update PRs are opened\n  time: \"{time}\"\nlimits:\n  open_prs: {open_prs}        # no new "
          "PRs once this many are open\nignore:\n  - {ignored}          # pinned on purpose, see #{issue}\n"
          "reviewers:\n  - {team}\n\n# Reviewers are requested automatically. Leave `reviewers` out and tendbot "
          "picks whoever last touched the lockfile.\n",
          {"day": "weekday", "time": "time", "open_prs": "small_number",
           "ignored": ("yamlette", "chronokit", "pipwren"), "issue": "number",
           "team": ("platform-team", "deps-wranglers", "build-crew")},
          (("day", "Which day does tendbot open its update pull requests?", "what day do the dependency PRs show up?"),
           ("time", "At what time of day are the update PRs opened?"),
           ("open_prs", "How many update PRs can be open before it stops adding more?", "what's the cap on open PRs?"),
           ("ignored", "Which package is tendbot told to leave alone?", "What dependency is pinned on purpose?"),
           ("team", "Who gets asked to review the update PRs?"),
           ("issue", "Which issue explains why that package is pinned?")),
          ("Which timezone does the schedule use?", "Does tendbot merge its PRs on its own once CI passes?")),
    Scene("CHANGELOG.md", "# Changelog\n\n## [{new_ver}] - {date}\n\n### Changed\n- **Breaking:** `{old_flag}` is "
          "now `{new_flag}`. The old spelling still works in this release but prints a warning.\n- The `cache_path` "
          "config key moved under `[cache]` as `dir`.\n\n### Fixed\n- `sync` no longer hangs when the server drops "
          "the connection mid-transfer (#{issue}, thanks {contrib.first}!).\n\n## [{prev_ver}] - {prev_date}\n\n### "
          "Added\n- `{old_flag}` to skip files larger than a given size.\n",
          {"new_ver": "version", "date": "date", "old_flag": "flag", "new_flag": "flag", "issue": "number",
           "contrib": "person", "prev_ver": "version", "prev_date": "date"},
          (("new_flag", "My script uses {old_flag}; it warns since I upgraded. What now?", "What's {old_flag} now?"),
           ("new_ver", "Which release renamed {old_flag}?", "in what version did the flag change name?"),
           ("date", "When did {new_ver} come out?"),
           ("prev_ver", "Which version first added {old_flag}?", "when did the skip-big-files option arrive?"),
           ("issue", "What's the issue number for the sync hang?"),
           ("contrib.first", "Who got thanked for fixing the sync hang?")),
          ("When will the old spelling of the flag stop working?", "Who added the option to skip large files?")),
    Scene("harrowgate_release_notes.txt", "Harrowgate release notes, {date}\n\nMostly a clean-up release. Heads-up "
          "for upgraders:\n\n* The `{removed}` setting is gone. Delete it from your config or startup fails with "
          "`unknown key`.\n* `max_conn` was renamed to `{renamed}`; the old name keeps working until the next "
          "major.\n\nSupport after this release:\n\n| Series | Status | Security fixes until |\n|---|---|---|\n| "
          "{s1} | current | ongoing |\n| {s2} | maintenance | {d2} |\n| {s3} | end of life | none |\n\nIf you're "
          "still on {s3}, please plan the upgrade; we won't patch it again.\n",
          {"date": "date", "removed": ("legacy_auth", "use_threads", "compat_mode"),
           "renamed": ("pool.max_size", "db.max_connections", "pool.limit"), "s1": ("8.x", "9.x"), "s2": ("6.x", "7.x"),
           "s3": ("4.x", "5.x"), "d2": "date"},
          (("d2", "Until when does {s2} get security fixes?", "I'm stuck on {s2}, how long is it patched?"),
           ("s1", "Which series is the current one?", "What's the newest release line?"),
           ("s3", "Which version has reached end of life?", "which series won't be patched any more?"),
           ("removed", "Which setting do I delete so startup doesn't fail with 'unknown key'?"),
           ("renamed", "What's max_conn called now?", "after upgrading, what do I write instead of max_conn?")),
          ("When is the next major release due?", "Is there a tool that rewrites old config files?")),
    Scene("issue_export_open_files.md", "#{issue} export crashes with \"Too many open files\" on big vaults\n\n"
          "**{reporter}** opened this on {opened}\n> `quirewell export --all` on about {notes} notes dies after a "
          "minute. macOS, quirewell {ver}.\n\n**{helper}** commented\n> Known problem. Workaround for now: run "
          "`ulimit -n {limit}` in the same shell first.\n\n**{helper}** commented\n> Scratch that, the ulimit trick "
          "doesn't stick in every macOS shell. Use `{good_flag}` instead; export then reuses file handles. The "
          "proper fix is queued for {fix_ver}.\n\n**{reporter.first}** commented\n> {good_flag} did it, thanks. "
          "Leaving this open until {fix_ver} ships.\n",
          {"issue": "number", "reporter": "person", "opened": "date", "notes": "big_number", "ver": "version",
           "helper": "person", "limit": ("4096", "8192", "10240"), "good_flag": "flag", "fix_ver": "version"},
          (("good_flag", "What workaround actually works for the crash?", "ulimit didn't help on my Mac. Now what?"),
           ("fix_ver", "Which release is supposed to fix it properly?", "when's the real fix coming, which version?"),
           ("ver", "Which quirewell version was the reporter using?"),
           ("notes", "How many notes were in the vault that crashed?"),
           ("reporter", "Who opened the issue?"),
           ("opened", "When was the bug reported?")),
          ("When will {fix_ver} be released?", "Does the crash happen on Linux too?")),
    Scene("lumwick-users_proxy.eml", "Subject: Re: [lumwick-users] proxy setting ignored?\n\nOn {weekday}, {asker} "
          "wrote:\n> I set `proxy =` in lumwick.conf but it still connects directly. lumwick {ver} on Debian.\n\nHi "
          "{asker.first},\n\nThat key only exists from {keyver} on, so on {ver} it's silently ignored. For your "
          "version export `{env}` instead (lumwick deliberately ignores plain HTTP_PROXY, long story). If the proxy "
          "wants a password, put it in `{authfile}` rather than in the URL, otherwise it ends up in the logs.\n\nOr "
          "just upgrade :)\n\nCheers,\n{replier.first}\n",
          {"weekday": "weekday", "asker": "person", "ver": "version", "keyver": "version",
           "env": ("LUMWICK_PROXY", "LW_PROXY", "LUMWICK_PROXY_URL"), "authfile": "filename", "replier": "person"},
          (("env", "I'm on {ver}. Which variable makes lumwick use my proxy?", "how do i get it through the proxy?"),
           ("keyver", "Which version started reading the proxy key?", "what version do I need for proxy = to work?"),
           ("authfile", "My proxy needs a login. Where does it go?", "where do I put the proxy password?"),
           ("replier.first", "Who answered {asker.first} on the list?", "Who replied to the proxy question?"),
           ("ver", "Which version was {asker.first} running?")),
          ("Why does lumwick ignore HTTP_PROXY?", "Does lumwick support SOCKS proxies?")),
    Scene("forum_calendar_plugin.txt", "Re: Is the calendar plugin dead?\n\n{mod} (moderator) · {date}\n\nNot dead, "
          "just moved! The original author handed it over to {maint} last spring. They renamed it `{plugin}` and "
          "moved the repo to {url}. Releases since then need Penwick {minver} or newer, so if you're stuck on "
          "something older, pin the last old release, {oldrel}.\n\nBug reports go to the new repo; the old thread "
          "here is locked. {maint.first} also hangs around in #plugins most evenings.\n",
          {"mod": "person", "date": "date", "maint": "person", "plugin": "word", "url": "url", "minver": "version",
           "oldrel": "version"},
          (("maint", "Who looks after the calendar plugin now?", "who's the new maintainer?"),
           ("plugin", "What's the calendar plugin called these days?", "What do I search for to get the new one?"),
           ("url", "Where should I file a bug for the calendar plugin?", "where's the repo now?"),
           ("minver", "What's the oldest Penwick that current releases work with?"),
           ("oldrel", "I can't upgrade Penwick. Which plugin release should I pin?"),
           ("mod", "Who posted the reply about the plugin?")),
          ("Who wrote the plugin originally?", "Does the plugin sync with phone calendars?")),
    Scene("api_uploads.md", "### POST /v2/uploads\n\nCreates an upload slot and returns a URL to PUT the file to. "
          "Needs a token with `files:write` scope.\n\n```json\n{{\"name\": \"report.csv\", \"size\": 48213}}\n```\n\n"
          "| Field | Type | Notes |\n|---|---|---|\n| `name` | string | required |\n| `size` | integer | bytes, up "
          "to {max_mb} MB |\n| `expires_in` | integer | seconds the upload URL stays valid; default {expires} |\n\n"
          "Errors: `413` if the file is over the limit, `429` past {rate} requests a minute per token.\n\nBase URL: "
          "`{base}`. The old `/v1/upload` endpoint stops answering on {sunset}.\n",
          {"max_mb": "number", "expires": "number", "rate": "small_number", "base": "url", "sunset": "date"},
          (("max_mb", "What's the biggest file I can upload?", "How many MB can one upload be?"),
           ("expires", "If I leave out expires_in, how long is the upload URL good for?", "default expiry in seconds?"),
           ("rate", "How many upload requests can I make a minute before I get a 429?", "what's the rate limit?"),
           ("base", "What's the base URL for the API?"),
           ("sunset", "When does /v1/upload stop working?", "How long have I got to move off the old endpoint?")),
          ("How do I get a token with write scope?", "Can I upload several files in one request?")),
    Scene("TROUBLESHOOTING.md", "# Troubleshooting: error messages\n\n**`E_LOCKED: repository is locked`**\nAnother "
          "quirewell process holds the lock. If you're sure nothing else is running, delete `{lockfile}` in the repo "
          "and retry.\n\n**`certificate verify failed`**\nYour CA bundle is out of date, or a proxy re-signs TLS. "
          "Point `{ca_env}` at your organisation's bundle.\n\n**`timed out after {timeout}s`**\nSlow network. Raise "
          "the limit with `{timeout_flag}`, e.g. `{timeout_flag} 120`.\n\n**`unsupported index format v{fmt}`**\nThe "
          "repo was written by a newer quirewell. Upgrade to at least {minver}.\n",
          {"lockfile": ("index.lock", ".quirewell.lock", "state.lock"), "ca_env": "env_var", "timeout": "small_number",
           "timeout_flag": "flag", "fmt": ("3", "4", "5"), "minver": "version"},
          (("lockfile", "It says the repository is locked but nothing else is running. What do I delete?"),
           ("ca_env", "We use company certificates. What do I set?", "what fixes 'certificate verify failed'?"),
           ("timeout", "After how many seconds does it give up on a slow connection?"),
           ("timeout_flag", "How do I give slow connections more time?", "Which option raises the timeout?"),
           ("minver", "I get 'unsupported index format'. Which version should I upgrade to?")),
          ("Where does quirewell write its log files?", "How do I report an error that isn't listed here?")),
    Scene("CONTRIBUTING.md", "# Contributing to Ferngrove\n\nThanks for wanting to help! Before you open a pull "
          "request:\n\n1. Branch off `{branch}`, not `main`. Main only moves when we release.\n2. Run `make check` "
          "before pushing. It lints and runs the tests; takes about {mins} on a laptop.\n3. Add a changelog fragment "
          "in `changes/`, named after your PR number.\n4. Sign off your commits (`git commit -s`).\n\nReviewers:\n- "
          "{core} (storage engine, migrations)\n- {docs} (CLI and documentation)\n\nNobody looked at your PR after "
          "{days}? Ping us in #ferngrove-dev. Easy issues to start on are labelled `{label}`.\n",
          {"branch": ("develop", "next", "dev"), "mins": "minutes", "core": "person", "docs": "person", "days": "days",
           "label": ("good-first-issue", "starter", "easy-pick")},
          (("branch", "Which branch should my PR target?", "what do i branch from when contributing?"),
           ("mins", "How long does make check take to run?"),
           ("docs", "Who reviews changes to the documentation?", "I fixed a typo in the CLI help. Who'll review it?"),
           ("core", "Who should look at a fix to the storage engine?"),
           ("days", "How long should I wait before chasing a review?"),
           ("label", "How can I find beginner-friendly issues?", "Which label marks easy issues?")),
          ("Do I need to sign a contributor licence agreement?", "Which Python versions does the test suite run on?")),
    Scene("SECURITY.md", "# Security Policy\n\n## Supported versions\n\nOnly the latest minor release gets security "
          "fixes, right now **{cur}**. Older releases won't be patched; please upgrade.\n\n## Reporting a "
          "vulnerability\n\nPlease **don't** open a public issue. Email {email} with details and, if you can, a "
          "proof of concept. Our PGP key is at {keyurl}.\n\n- We'll acknowledge your report within {ack}.\n- For "
          "anything rated high or critical we aim to ship a fix within {fix}.\n- We credit reporters in the release "
          "notes unless you'd rather we didn't.\n\nOn security duty this quarter: {duty}.\n",
          {"cur": "version", "email": "email", "keyurl": "url", "ack": "hours", "fix": "days", "duty": "person"},
          (("email", "Where do I send a security bug?", "How do I report a vulnerability privately?"),
           ("ack", "How soon should I hear back after reporting?"),
           ("fix", "How long do they take to fix a critical vulnerability?"),
           ("keyurl", "Where can I get the key to encrypt my report?"),
           ("cur", "Which version still gets security patches?"),
           ("duty", "Who's handling security reports at the moment?")),
          ("Is there a bug bounty?", "Will they request a CVE for my report?")),
    Scene("help_channel.log", "#help, {tool} community chat\n\n[{t1}] {user.first}: upgraded to {ver} and now "
          "`deploy` says unknown option {old_flag} :(\n[{t1}] {helper.first}: yep, removed in {ver}. it's {new_flag} "
          "now\n[{t1}] {user.first}: same value?\n[{t1}] {helper.first}: no, the timeout is in seconds now, not "
          "minutes. so 5 becomes 300\n[{t1}] {user.first}: ah ok. and the env var?\n[{t1}] {helper.first}: {env} "
          "still works, same units as the new flag\n[{t1}] {user.first}: deployed, all good. thanks!\n",
          {"tool": "word", "t1": "time", "user": "person", "helper": "person", "ver": "version", "old_flag": "flag",
           "new_flag": "flag", "env": "env_var"},
          (("new_flag", "I upgraded and deploy rejects {old_flag}. What replaces it?", "what's the new name for it?"),
           ("ver", "Which version dropped {old_flag}?"),
           ("env", "Can I set that timeout through the environment instead of a flag? Which variable?"),
           ("helper.first", "Who helped {user.first} in the chat?"),
           ("user.first", "Who was having trouble with deploy?")),
          ("Where is {tool} documented?", "What does deploy do when the timeout runs out?")),
    Scene("announce_thread.eml", "From: {rm} <{email}>\nSubject: {tool} {ver} released; legacy exporter removal\n\n"
          "Hi all,\n\n{ver} is on the usual mirrors. The headline is the new incremental index, which makes re-scans "
          "about {pct} faster on big trees.\n\nWe're also deprecating the legacy exporter. It keeps working, with a "
          "warning, until {old_ver}, when it will be removed.\n\n{rm.first}\n\n---\nFrom: {rm} <{email}>\nSubject: "
          "Re: {tool} {ver} released\n\nCorrection, sorry: the exporter goes in {new_ver}, not {old_ver}. We pushed "
          "it back a release for the packagers.\n",
          {"rm": "person", "email": "email", "tool": "word", "ver": "version", "pct": "percent", "old_ver": "version",
           "new_ver": "version"},
          (("new_ver", "Which version removes the legacy exporter?", "which release drops the old exporter?"),
           ("ver", "What version of {tool} was just released?"),
           ("pct", "How much faster are re-scans with the new index?"),
           ("rm", "Who sent the release announcement?", "who announced {ver}?")),
          ("What replaces the legacy exporter?", "When is {new_ver} expected?")),
    Scene("docs_docker.md", "## Running with Docker\n\n```sh\ndocker run -d --name shelfwise \\\n  -p 8080:{port} "
          "\\\n  -v shelfwise-data:/data \\\n  -e {admin_env}=change-me \\\n  shelfwise/server:{tag}\n```\n\nThe "
          "container listens on {port} inside; map it to whatever you like on the host. `{admin_env}` sets the first "
          "admin password and is ignored once an admin exists. Data lives in `/data`, so back up that volume, not "
          "the container.\n\nMemory: {mem} MB is plenty for a personal library; give it more if you import over "
          "{books} books at once.\n",
          {"port": "port", "admin_env": ("SHELFWISE_ADMIN_PASSWORD", "ADMIN_PASSWORD", "SW_INIT_PASSWORD"),
           "tag": "version", "mem": "number", "books": "big_number"},
          (("port", "Which port does the shelfwise container listen on inside?", "what container port do I map?"),
           ("admin_env", "How do I set the admin password the first time?", "which variable sets the first password?"),
           ("tag", "Which image version does the example run?"),
           ("mem", "How much memory does it need for a home library?"),
           ("books", "How many books can I import in one go before I need more memory?")),
          ("How do I change the admin password later?", "Does the image run on ARM boards?")),
    Scene("shelfwise-desktop.ini", "; shelfwise-desktop.ini, lives in your profile folder. Lines starting with ; are "
          "comments.\n\n[library]\npath = ~/Books\nscan_every = {interval}      ; minutes, 0 turns auto-scan off\n\n"
          "[sync]\nenabled = true\nserver = {server}\nconflicts = {conflicts}    ; keep-both, newest-wins or ask\n\n"
          "[ui]\ntheme = {theme}\nfont_size = {size}\n\n; Restart the app after editing.\n",
          {"interval": "small_number", "server": "url", "conflicts": ("keep-both", "newest-wins", "ask"),
           "theme": ("dark", "light", "system"), "size": "small_number"},
          (("interval", "How often does the library get rescanned?", "how many minutes between automatic scans?"),
           ("server", "Which server does it sync with?"),
           ("conflicts", "If a book's changed on two devices, what does this setup do? what's conflicts set to?"),
           ("theme", "Which theme is set?"),
           ("size", "What font size is configured?")),
          ("Where exactly is the profile folder on Windows?", "Does the app keep a backup of the ini file?")),
    Scene("UPGRADING.md", "# Upgrading from 2.x to 3.0\n\n3.0 has {n} breaking changes. Most people only hit the "
          "first two.\n\n| 2.x | 3.0 | Notes |\n|---|---|---|\n| `--out` | `{out_new}` | same meaning |\n| "
          "`BRISKLE_HOME` | `{home_new}` | env var |\n| `briskle.yaml` | `{cfg_new}` | old name still read, with a "
          "warning |\n| `--no-color` | removed | set `NO_COLOR=1` |\n\n3.0 needs Node {node} or later. If `briskle "
          "migrate` complains, run it with `{verbose}` and attach the output to an issue.\n",
          {"n": "number_word", "out_new": "flag", "home_new": ("BRISKLE_DIR", "BRISKLE_DATA", "BRISKLE_ROOT"),
           "cfg_new": "filename", "node": ("18", "20", "22"), "verbose": ("--verbose", "--debug", "-vv")},
          (("out_new", "What replaced --out in 3.0?", "3.0 rejects --out in my script, what now?"),
           ("home_new", "BRISKLE_HOME stopped working after the upgrade. What's the variable called now?"),
           ("cfg_new", "What should I rename briskle.yaml to?", "what's the config file called in 3.0?"),
           ("n", "How many breaking changes are in 3.0?"),
           ("node", "Which Node version do I need for briskle 3?"),
           ("verbose", "briskle migrate is failing. How do I get more detail for the bug report?")),
          ("When is 3.1 coming out?", "Does briskle 3.0 still run on Windows?")),
    Scene("loomstead_release_notes.txt", "Loomstead {ver} release notes\n\nThis is the final release after the {rc} "
          "release candidate; thanks to the {n} people who tested the RCs.\n\nHighlights\n- Plugins can declare "
          "settings; they show up under Preferences > Plugins.\n- `loom watch` uses native file events on Linux "
          "(about {pct} less CPU while idle).\n\nDeprecated\n- `{dep_flag}` does nothing now and will be removed in "
          "{removal}. Take it out of your scripts.\n\nSupported platforms: Windows 10+, macOS {mac}+, any Linux with "
          "glibc 2.31 or newer.\n",
          {"ver": "version", "rc": "ordinal", "n": "number_word", "pct": "percent", "dep_flag": "flag",
           "removal": "version", "mac": ("12", "13", "14")},
          (("rc", "Which release candidate came right before the final?"),
           ("n", "How many people tested the release candidates?"),
           ("pct", "How much CPU does watch save when idle on Linux?"),
           ("dep_flag", "Which flag is deprecated in this release?", "what should I take out of my scripts?"),
           ("removal", "When will {dep_flag} be removed for good?"),
           ("mac", "What's the oldest macOS Loomstead supports?")),
          ("Does it support Windows on ARM?", "Who managed this release?")),
    Scene("issue_vars_file.md", "Let `runnel run` read variables from a file #{issue}\n\n**{asker}** opened this "
          "{days_ago} ago\nI keep a dozen `--var` flags in a shell alias. Could `runnel run` take a file instead?\n\n"
          "**{maint}** (maintainer)\nThis exists already, it's just badly documented :) `runnel run {varflag} "
          "vars.env` reads KEY=VALUE lines. Since {since} it also picks up `{defaultfile}` in the working directory "
          "on its own, so you may not need the flag at all.\n\nClosing; #{docs_issue} is for fixing the docs. "
          "{maint.first}\n",
          {"issue": "number", "asker": "person", "days_ago": "days", "maint": "person", "varflag": "flag",
           "since": "version", "defaultfile": (".runnel.env", "runnel.vars", ".env.runnel"), "docs_issue": "number"},
          (("varflag", "How do I make runnel run read variables from a file?", "which option loads a vars file?"),
           ("defaultfile", "Is there a file runnel reads with no flag?", "what file does it look for itself?"),
           ("since", "Since which version is that file read automatically?"),
           ("docs_issue", "Which issue tracks fixing the docs?"),
           ("maint", "Who closed the feature request?")),
          ("Can the variables file be YAML?", "Is there a limit on how many --var flags I can pass?")),
    Scene("petrel-sync.1.txt", "PETREL-SYNC(1)\n\nNAME\n    petrel-sync - mirror a directory to a remote bucket\n\n"
          "SYNOPSIS\n    petrel-sync [OPTIONS] SRC DEST\n\nOPTIONS\n    -n, --dry-run     list what would be copied, "
          "copy nothing\n    {bwflag} RATE    cap bandwidth, e.g. 2M (default: no cap)\n    -j N              "
          "parallel transfers (default: {jobs})\n    --delete          remove files from DEST that are gone from "
          "SRC\n\nENVIRONMENT\n    {token_env}    access token; wins over the one in the config file\n\nFILES\n    "
          "~/.config/petrel/{cfg}\n\nEXIT STATUS\n    0 success, 1 error, {partial} some files failed\n",
          {"bwflag": "flag", "jobs": "small_number", "token_env": ("PETREL_TOKEN", "PETREL_ACCESS_KEY", "PETREL_AUTH"),
           "cfg": "filename", "partial": ("2", "3", "4")},
          (("bwflag", "How do I stop petrel-sync eating all my bandwidth?", "which option limits the transfer rate?"),
           ("jobs", "How many transfers run at once unless I say otherwise?"),
           ("token_env", "Can I give it the token without the config file?", "which env var holds the token?"),
           ("cfg", "What's petrel-sync's config file called?"),
           ("partial", "My cron job got a non-zero exit. Which code means only some files failed?")),
          ("Does --delete ask for confirmation first?", "Which storage providers does it work with?")),
    Scene("docs_environment.md", "## Environment variables\n\nEvery setting in `quillet.toml` can also come from the "
          "environment, and the environment wins.\n\n| Variable | Default | Used for |\n|---|---|---|\n| `{v_home}` "
          "| `~/.quillet` | where notebooks are stored |\n| `{v_port}` | `{port}` | the local web UI |\n| "
          "`{v_level}` | `{level}` | log verbosity |\n| `{v_token}` | unset | API token for sync |\n\nTip: on a "
          "shared machine set `{v_home}` per user, otherwise everyone writes to the same notebooks.\n",
          {"v_home": ("QUILLET_HOME", "QUILLET_DATA_DIR"), "v_port": ("QUILLET_PORT", "QUILLET_UI_PORT"),
           "v_level": ("QUILLET_LOG", "QUILLET_LOG_LEVEL"), "v_token": ("QUILLET_TOKEN", "QUILLET_SYNC_TOKEN"),
           "port": "port", "level": ("warn", "info", "error")},
          (("v_home", "How do I change where notebooks are saved?", "which variable moves the notebook folder?"),
           ("port", "What port is the web UI on by default?"),
           ("v_token", "Where do I put my sync token if I don't want it in the config file?"),
           ("level", "What's the default log level?"),
           ("v_port", "Which variable changes the web UI's port?")),
          ("What does a sync API token look like?", "Does quillet read a .env file?")),
    Scene("issue_port_in_use.md", "**Port already in use after upgrading to {ver}** #{issue}\n\n{reporter.first}: "
          "since upgrading, `hivewright up` fails with `address already in use`. Nothing changed on my side.\n\n"
          "{maint.first} (maintainer): {ver} changed the default port from {old_port} to {new_port}, which clashes "
          "with a few dev servers. Set `port = {old_port}` in `hivewright.toml` to get the old behaviour back, or "
          "pass `{port_flag}`.\n\n{maint.first}: Update: we're reverting the default in {fix_ver}. The changelog for "
          "{ver} never mentioned it, sorry about that.\n",
          {"ver": "version", "issue": "number", "reporter": "person", "maint": "person", "old_port": "port",
           "new_port": "port", "port_flag": "flag", "fix_ver": "version"},
          (("new_port", "What port does hivewright use by default since {ver}?"),
           ("old_port", "What was the default port before the upgrade?", "I want the old port back. What do I set?"),
           ("port_flag", "Is there a command-line option to pick the port?"),
           ("fix_ver", "Which version puts the old default back?"),
           ("maint.first", "Who answered the bug report?")),
          ("Which dev servers clash with the new port?", "When will {fix_ver} be released?")),
    Scene("FAQ.md", "# FAQ\n\n**Q: How do I back up my instance?**\nA: Run `{backup_cmd}`. It writes a single "
          "archive to `{backup_dir}`; copy that somewhere safe.\n\n**Q: I forgot the admin password.**\nA: On the "
          "server, run `tallyhall reset-admin`. It prints a one-time password valid for {ttl}.\n\n**Q: Where are the "
          "logs?**\nA: `/var/log/tallyhall/` by default, rotated every {rot} days. Set `{log_env}` to log "
          "elsewhere.\n\n**Q: Can I run it on a Raspberry Pi?**\nA: Yes, use the {arch} build.\n",
          {"backup_cmd": ("tallyhall dump", "tallyhall backup --all", "tallyhall export-db"),
           "backup_dir": ("/var/backups/tallyhall", "/srv/tallyhall/backups"), "ttl": "minutes", "rot": "small_number",
           "log_env": ("TALLYHALL_LOG_DIR", "TALLYHALL_LOGS", "TH_LOG_PATH"), "arch": ("arm64", "armv7")},
          (("backup_cmd", "What command makes a backup?", "how do i back the thing up?"),
           ("backup_dir", "Where does the backup archive end up?"),
           ("ttl", "How long is the one-time admin password good for?", "I reset the admin login, how long do I have?"),
           ("rot", "How many days between log rotations?"),
           ("log_env", "Can I send the logs somewhere other than /var/log? What do I set?"),
           ("arch", "Which build should I use on a Raspberry Pi?")),
          ("How do I restore from a backup?", "How much disk space does an instance need?")),
    Scene("release_checklist.md", "# Release checklist: {tool} {ver}\n\nCode freeze: {freeze}. Release goes out "
          "{gap} after that.\n\nWho's doing what:\n- {rm} (release manager): tags, signs, uploads\n- {docs} (docs): "
          "changelog and migration notes\n- {pkg} (packaging): Debian and Homebrew\n\nSteps\n1. Bump the version in "
          "`{verfile}`.\n2. `make dist` and check the tarball builds in a clean container.\n3. Tag, push, wait for "
          "CI (~{ci}).\n4. Announce on the list. {rm.first} sends it, nobody else.\n",
          {"tool": "word", "ver": "version", "freeze": "date", "rm": "person", "docs": "person", "pkg": "person",
           "verfile": ("pyproject.toml", "VERSION", "src/version.py"), "ci": "minutes", "gap": "weeks"},
          (("rm", "Who's the release manager for {ver}?", "who tags the release?"),
           ("pkg", "Who handles the Homebrew package?"),
           ("docs", "Who writes up the changelog?"),
           ("freeze", "When's the code freeze?"),
           ("gap", "How long after the freeze is the release?", "how many weeks between freeze and release?"),
           ("verfile", "Which file has the version number I need to bump?")),
          ("Who reviews the announcement before it goes out?", "What happens if CI fails after tagging?")),
    Scene("forum_screenshot_folder.txt", "Re: Can't change where screenshots are saved\n\n{helper} wrote:\nAdd this "
          "to `{cfg}` under `[capture]`:\n\n    {wrong_key} = \"~/Pictures/shots\"\n\nEDIT: sorry, I was reading old "
          "docs. The key is `{right_key}`; `{wrong_key}` was dropped in {ver} and is just ignored now. You also need "
          "to restart the tray app, it doesn't reload config.\n\n{asker.first} wrote:\nthat worked, cheers! for "
          "anyone finding this later, the default folder is `{default_dir}`.\n",
          {"helper": "person", "cfg": "filename", "wrong_key": ("save_dir", "shots_path"),
           "right_key": ("output_dir", "save_folder", "target_dir"), "ver": "version", "asker": "person",
           "default_dir": ("~/Pictures/Screenshots", "~/Desktop", "~/Documents/Captures")},
          (("right_key", "Which setting changes where screenshots get saved?", "what key do I put in for the folder?"),
           ("wrong_key", "Which old setting is now ignored?"),
           ("ver", "In which version was {wrong_key} dropped?"),
           ("default_dir", "Where do screenshots go if I don't change anything?"),
           ("cfg", "Which file does the setting go in?")),
          ("Can I name screenshot files by date?", "How do I restart the tray app on Linux?")),
    Scene("api_authentication.md", "## Authentication\n\nSend your key in the `{header}` header on every request:\n\n"
          "    curl -H \"{header}: $KEY\" {base}/projects\n\nKeys are created under Settings > API. A key expires "
          "after {expiry} unless you tick *never expire* (admins only).\n\nRate limits: {rate} requests per minute "
          "for personal keys, {org_rate} for organisation keys. Over the limit you get `429` and a `Retry-After`.\n\n"
          "Questions? {support}\n",
          {"header": ("X-Api-Key", "X-Auth-Token", "X-Access-Key"), "base": "url", "expiry": "days", "rate": "number",
           "org_rate": "number", "support": "email"},
          (("header", "Which header does the API key go in?"),
           ("expiry", "How long is an API key valid for?", "do keys expire? after how long?"),
           ("rate", "How many requests a minute can I make with my own key?"),
           ("org_rate", "What's the rate limit for an organisation key?"),
           ("support", "Who do I email with API questions?"),
           ("base", "What's the API's base address?")),
          ("Can I rotate a key without downtime?", "How do I create a key from the command line?")),
)
