#!/usr/bin/python3
"""Writes the .env fixture corpus in testdata/dotenv/ (and its README.md).

Deterministic and re-runnable: every fixture is defined here, byte for byte,
so nothing in dotenv/ is edited by hand. Re-running rewrites every fixture,
deletes *.env files in dotenv/ that are no longer listed, and regenerates
dotenv/README.md.

    /usr/bin/python3 envfix/testdata/make_corpus.py

Expected values are NOT written here: they come from the oracle,
flowmeter_read.py, run over the corpus with LG_TEST_VAR=from-env and
LG_EMPTY_VAR= (empty) in the environment and LG_UNDEFINED_VAR unset.

A fixture's content is a str (written as UTF-8) or bytes (written as is).
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "dotenv")

BOM = "\ufeff"

GROUPS = []  # (title, text, [(number, slug, content, note)])


def group(title, text):
    GROUPS.append((title, text, []))


def fx(number, slug, content, note):
    GROUPS[-1][2].append((number, slug, content, note))


def env_example(host, extra=""):
    return (
        "# FlowMeter backend settings\n"
        "APP_NAME=FlowMeter API\n"
        "APP_VERSION=1.0.0\n"
        "DEBUG=true\n"
        "\n"
        "# Server\n"
        "HOST=%s\n"
        "PORT=8000\n"
        "\n"
        "# CORS (JSON list)\n"
        'CORS_ORIGINS=["http://localhost:3000"]\n'
        "\n"
        "# Uploads\n"
        "MAX_FILE_SIZE_MB=100\n" % host
    ) + extra


# ---------------------------------------------------------------- basics
group("Basics", "plain lines, spaces and tabs around `=`, leading blanks, "
      "the `export` prefix in all its forms")
fx(1, "plain", "HOST=127.0.0.1\n", "HOST=127.0.0.1")
fx(2, "plain-host-and-port", "HOST=127.0.0.2\nPORT=8001\n", "HOST and PORT")
fx(3, "spaces-around-equals", "HOST = 127.0.0.3\n", "spaces around =")
fx(4, "tabs-around-equals", "HOST\t=\t127.0.0.4\n", "tabs around =")
fx(5, "leading-spaces", "   HOST=127.0.0.5\n", "leading spaces")
fx(6, "leading-tabs", "\t\tHOST=127.0.0.6\n", "leading tabs")
fx(7, "export-space", "export HOST=127.0.0.7\n", "`export ` prefix")
fx(8, "export-tab", "export\tHOST=127.0.0.8\n", "`export<TAB>` prefix")
fx(9, "export-mixed-blanks", "  export \t  HOST  =  127.0.0.9\n",
   "leading blanks, export, several blanks")
fx(10, "exportHOST-no-space", "exportHOST=127.0.0.10\n",
   "`exportHOST=`: no blank, so the key is exportHOST")
fx(11, "export-alone", "export\nHOST=10.0.0.11\n",
   "`export` alone is a bare key named export")
fx(12, "export-equals", "export=1\nexport =2\nHOST=10.0.0.12\n",
   "`export=1` is a key; `export =2` is a parse error")
fx(13, "export-bare-host", "HOST=10.0.0.13\nexport HOST\n",
   "`export HOST` (bare) after a value unsets it")
fx(14, "export-quoted-key", "export 'HOST'=127.0.0.14\n",
   "export with a single-quoted key")

# ---------------------------------------------------------------- keys
group("Keys", "quoted keys, unicode keys and case folding, characters that "
      "end or are part of a key")
fx(20, "single-quoted-key", "'HOST'=127.0.0.20\n", "'HOST'= (quotes dropped)")
fx(21, "double-quoted-key", '"HOST"=127.0.0.21\n',
   '"HOST"= keeps its quotes: another key')
fx(22, "single-quoted-key-with-space", "'HO ST'=1\n'HOST' = 127.0.0.22\n",
   "single-quoted key containing a space")
fx(23, "empty-single-quoted-key", "''=x\nHOST=127.0.0.23\n",
   "'' as a key is a parse error, parsing goes on")
fx(24, "unicode-keys", "H\u00d6ST=10.0.0.1\n\uff28\uff2f\uff33\uff34=10.0.0.2\n"
   "HOST=::1\n", "H\u00d6ST and fullwidth HOST are other keys")
fx(25, "unicode-case-fold", "\u0130=dotted-capital-i\n\u0391\u03a3=alpha-sigma\n"
   "\u1e9e=capital-sharp-s\n\u01c5=titlecase-dz\nK\u212a=kelvin\n"
   "HOST=localhost\n",
   "keys whose Python str.lower() differs from a rune-wise ToLower "
   "(U+0130, final sigma, U+1E9E, U+01C5, U+212A)")
fx(26, "key-hash-is-bare", "HOST=10.0.0.26\nHOST#note=127.0.0.26\n",
   "`HOST#note=...`: the key ends at #, rest is a comment: bare HOST")
fx(27, "key-nul", "HOST\x00=127.0.0.27\n", "NUL inside the key: another key")
fx(28, "key-colon-no-space", "HOST:127.0.0.28\nPORT=8001\n",
   "`HOST:value` is one bare key named `HOST:127.0.0.28`")
fx(29, "key-with-dollar-braces", "${LG_TEST_VAR}=1\nHOST=127.0.0.29\n",
   "keys are never interpolated")

# ---------------------------------------------------------------- unquoted
group("Unquoted values", "comments, `#` without a blank, trailing blanks, "
      "`=` and quotes inside values, a comment right after `=`")
fx(30, "comment-after-space", "HOST=127.0.0.30 # loopback only\n",
   "` #comment` after the value")
fx(31, "hash-no-space", "HOST=0.0.0.0#x\n", "`#` without a blank is value")
fx(32, "tab-before-hash", "HOST=127.0.0.32\t#c\n", "tab then #")
fx(33, "trailing-whitespace", "HOST=127.0.0.33   \t \n",
   "trailing blanks dropped")
fx(34, "equals-in-value", "HOST=a=b=c\nPORT==8000\n",
   "`=` inside the value, `PORT==8000`")
fx(35, "comment-right-after-equals", "HOST= # no host here\n",
   "blank after = is eaten by =, so `# no host here` is the value")
fx(36, "hash-after-equals-tab", "HOST=\t#127.0.0.36\n",
   "tab after = then #: value `#127.0.0.36`")
fx(37, "two-comments", "HOST=127.0.0.37 #a #b\n", "two comments")
fx(38, "inner-spaces", "HOST=127.0.0.38 10.0.0.38\n",
   "value with an inner space")
fx(39, "quotes-inside-unquoted", "HOST=127.0.0.39\"x\"\nPORT=80'0'1\n",
   "quotes inside an unquoted value stay")
fx(40, "bare-key-with-comment", "HOST=10.0.0.40\nHOST # disabled\n",
   "`HOST # disabled` is a bare key: unset")
fx(41, "trailing-backslash", "HOST=127.0.0.41\\\n", "unquoted trailing backslash")
fx(42, "equals-quote", 'HOST=="127.0.0.42"\n', '`HOST=="x"` is unquoted `="x"`')

# ---------------------------------------------------------------- single
group("Single-quoted values", "`\\'` and `\\\\` escapes, a trailing "
      "backslash, comment or garbage after the closing quote")
fx(50, "single-quoted", "HOST='127.0.0.50'\n", "single-quoted value")
fx(51, "single-escaped-quote", "HOST='it\\'s'\n", "`\\'` in single quotes")
fx(52, "single-backslashes", "HOST='a\\\\b\\n\\tc'\n",
   "`\\\\` decoded, `\\n` `\\t` kept as typed")
fx(53, "single-escaped-quote-at-eof", "HOST='abc\\'",
   "`HOST='abc\\'` at EOF: regex backtracks, closes on the escaped quote")
fx(54, "single-double-backslash-later-quote", "HOST='a\\\\'\nPORT='8001'\n",
   "`'a\\\\'` followed by a later quote: the match runs on")
fx(55, "single-double-backslash-alone", "HOST='a\\\\'\nPORT=8001\n",
   "`'a\\\\'` with no later quote: value a\\")
fx(56, "single-comment-after", "HOST='127.0.0.56' # c\n", "comment after quote")
fx(57, "single-garbage-after", "HOST='127.0.0.57'x\nPORT=8001\n",
   "text after the closing quote: line skipped")
fx(58, "single-after-spaces", "HOST =  '127.0.0.58'  \n",
   "blanks before the opening quote and after the closing one")

# ---------------------------------------------------------------- double
group("Double-quoted values", "every escape, unknown escapes, escaped quote "
      "at the end, `\"a\\\\\"`, comment or garbage after the closing quote")
fx(60, "double-quoted", 'HOST="127.0.0.60"\n', "double-quoted value")
fx(61, "double-all-escapes",
   'HOST="a\\\\b\\\'c\\"d\\ae\\bf\\fg\\nh\\ri\\tj\\vk"\n',
   "every decoded escape: \\\\ \\' \\\" \\a \\b \\f \\n \\r \\t \\v")
fx(62, "double-unknown-escapes", 'HOST="127.0.0.62\\x\\u0041\\0\\$\\#"\n',
   "unknown escapes stay as typed")
fx(63, "double-escaped-quote-at-eof", 'HOST="abc\\"',
   '`HOST="abc\\"` at EOF: value abc\\')
fx(64, "double-escaped-quote-then-line", 'HOST="abc\\"\nPORT=8001\n',
   '`HOST="abc\\"` then a quote-free line')
fx(65, "double-double-backslash-alone", 'HOST="a\\\\"\nPORT=8001\n',
   '`"a\\\\"` with no later quote')
fx(66, "double-double-backslash-later-quote", 'HOST="a\\\\"\nPORT="8001"\n',
   '`"a\\\\"` followed by a later quote: the match runs on')
fx(67, "double-comment-after", 'HOST="127.0.0.67"   # c\n', "comment after")
fx(68, "double-hash-right-after", 'HOST="127.0.0.68"#c\n',
   "# right after the closing quote is a comment")
fx(69, "double-garbage-after", 'HOST="127.0.0.69" x\nPORT=8001\n',
   "text after the closing quote: line skipped")
fx(70, "double-two-strings", 'HOST="127.0.0.70" "10.0.0.70"\nPORT=8001\n',
   "two quoted strings: line skipped")
fx(71, "double-after-spaces", 'HOST =  "127.0.0.71"\n',
   "blanks before the opening quote")
fx(72, "double-hash-inside", 'HOST="127.0.0.72 # not a comment"\n',
   "# inside quotes is value")

# ---------------------------------------------------------------- multiline
group("Multiline and unterminated quotes", "quoted values spanning lines, "
      "unterminated quotes at EOF and in the middle, where the regex closes")
fx(80, "multiline-double", 'HOST="127.0.0.80\nPORT=9999"\nX=1\n',
   "double-quoted value over two lines swallows PORT")
fx(81, "multiline-single", "HOST='127.0.0.81\n# not a comment\n'\n",
   "single-quoted value over three lines")
fx(82, "unterminated-double-eof", 'PORT=8001\nHOST="127.0.0.82\n',
   "unterminated at EOF: error, HOST unset")
fx(83, "unterminated-double-closes-on-garbage",
   'HOST="127.0.0.83\nPORT=8001\nAPP_NAME="FlowMeter"\nDEBUG=true\n',
   "unterminated: closes on APP_NAME's first quote, garbage after: "
   "HOST, PORT, APP_NAME all lost")
fx(84, "unterminated-double-closes-clean",
   'HOST="127.0.0.84\nPORT=8001\nNOTE=x"\nDEBUG=true\n',
   "quote closes cleanly three lines later: HOST is multiline")
fx(85, "unterminated-single-closes-on-garbage",
   "HOST='127.0.0.85\nPORT=8001\nNAME='x'\nDEBUG=true\n",
   "single quote closes on NAME's quote, garbage after")
fx(86, "unterminated-single-eof", "HOST='127.0.0.86\nPORT=8001\n",
   "unterminated single quote, no later quote: only its line is skipped")
fx(87, "quote-swallows-host-line", 'NOTE="start\nHOST=127.0.0.87\nend"\n',
   "a HOST line inside another key's quoted value is not a HOST")
fx(88, "unterminated-no-later-quote", 'A="x\nHOST=127.0.0.88\n',
   "unterminated quote with no later quote: HOST line is read")
fx(89, "quote-closes-on-host-line", 'NOTE="\nHOST="127.0.0.89"\nPORT=8001\n',
   "NOTE's quote closes on HOST's opening quote: HOST lost")

# ---------------------------------------------------------------- interpolation
group("Interpolation", "${NAME}, ${NAME:-default}, from earlier keys, the "
      "environment (LG_TEST_VAR=from-env, LG_EMPTY_VAR= set empty, "
      "LG_UNDEFINED_VAR unset), bare keys, odd forms")
fx(100, "interp-earlier-key", "IP=127.0.0.100\nHOST=${IP}\n", "earlier key")
fx(101, "interp-later-key", "HOST=${IP}\nIP=127.0.0.101\n",
   "later key: not yet defined, gives empty")
fx(102, "interp-undefined-default", "HOST=${LG_UNDEFINED_VAR:-127.0.0.102}\n",
   "undefined with default")
fx(103, "interp-undefined-empty-default", "HOST=${LG_UNDEFINED_VAR:-}\n",
   "`${X:-}`: empty")
fx(104, "interp-undefined", "HOST=${LG_UNDEFINED_VAR}\n", "undefined: empty")
fx(105, "interp-env-var", "HOST=${LG_TEST_VAR}\n", "from the environment")
fx(106, "interp-env-empty", "HOST=${LG_EMPTY_VAR:-127.0.0.106}\n",
   "set-but-empty env var: empty, not the default")
fx(107, "interp-dollar-no-braces", "IP=127.0.0.107\nHOST=$IP\n",
   "`$IP` without braces is literal")
fx(108, "interp-in-single-quotes", "IP=127.0.0.108\nHOST='${IP}'\n",
   "expanded inside single quotes too")
fx(109, "interp-after-unknown-escape", 'IP=127.0.0.109\nHOST="\\${IP}"\n',
   "`\\${IP}` in double quotes: backslash stays, then expansion")
fx(110, "interp-bare-earlier-key",
   "LG_TEST_VAR\nHOST=${LG_TEST_VAR:-127.0.0.110}\n",
   "a bare earlier key shadows both the env var and the default: empty")
fx(111, "interp-odd-forms", "HOST=${}x${LG_TEST_VAR:x}\n",
   "`${}` is empty, `${A:x}` is literal")
fx(112, "interp-nested-default",
   "HOST=${LG_UNDEFINED_VAR:-${LG_TEST_VAR}}\n",
   "nested default is not expanded; the first } ends it")
fx(113, "interp-self-earlier", "HOST=10.0.0.113\nHOST=${HOST}:8000\n",
   "`${HOST}` refers to the earlier HOST")
fx(114, "interp-case-sensitive-name", "host=127.0.0.114\nHOST=${host}${HOST:-x}\n",
   "names are case-sensitive in ${}")
fx(115, "interp-default-with-colon-dash", "HOST=${LG_UNDEFINED_VAR:-a:-b}\n",
   "default containing :-")
fx(116, "interp-dash-without-colon", "HOST=${LG_TEST_VAR-127.0.0.116}\n",
   "`${A-x}`: the name is `A-x`")
fx(117, "interp-unclosed", "HOST=${LG_TEST_VAR\n", "unclosed ${ is literal")
fx(118, "interp-then-bare", "IP=127.0.0.118\nHOST=${IP}\nIP\n",
   "expansion happens at the line; a later bare IP does not change HOST")
fx(119, "interp-mix", "HOST=${LG_TEST_VAR}-${LG_EMPTY_VAR}-"
   "${LG_UNDEFINED_VAR:-d}-${LG_EMPTY_VAR:-e}\n", "several references")
fx(120, "interp-dollar-dollar", "IP=127.0.0.120\nHOST=$${IP}\n",
   "`$${IP}`: one $ stays")
fx(121, "interp-default-from-earlier-bare",
   "IP\nHOST=${IP:-127.0.0.121}\n",
   "bare IP then `${IP:-default}`: empty")

# ---------------------------------------------------------------- duplicates
group("Duplicates and case", "the same key in several spellings: "
      "pydantic's fold, bare keys after and before values")
fx(130, "dup-mixed-case", "HOST=10.0.0.1\nhost=127.0.0.130\nHOST=10.0.0.3\n",
   "HOST=a / host=b / HOST=c gives b")
fx(131, "dup-same-case", "HOST=10.0.0.131\nHOST=127.0.0.131\n",
   "same spelling: the last wins")
fx(132, "bare-after-value", "HOST=127.0.0.132\nHOST\n",
   "bare HOST after a value: default")
fx(133, "bare-lower-before-value", "host\nHOST=127.0.0.133\n",
   "bare host before HOST=: the value")
fx(134, "bare-lower-after-value", "HOST=127.0.0.134\nhost\n",
   "bare host after HOST=: default")
fx(135, "capitalized", "Host=127.0.0.135\n", "Host=")
fx(136, "lower-upper-lower", "host=10.0.0.1\nHOST=127.0.0.136\nhost=10.0.0.2\n",
   "the last line says 10.0.0.2, but HOST is folded later")
fx(137, "port-four-spellings", "PORT=8001\nport=8002\nPort=8003\nPORT=8004\n",
   "PORT in three spellings")
fx(138, "bare-upper-after-lower", "host=127.0.0.138\nHOST\n",
   "HOST (bare) after host=: default")

# ---------------------------------------------------------------- empty
group("Empty values", "`HOST=` and its quoted forms set the empty string "
      "(every interface), not the default")
fx(140, "host-empty", "HOST=\n", "HOST=")
fx(141, "host-empty-double", 'HOST=""\n', 'HOST=""')
fx(142, "host-empty-single", "HOST=''\n", "HOST=''")
fx(143, "host-empty-blanks-eof", "HOST=   ", "HOST= and blanks, no newline")
fx(144, "host-blanks-in-quotes", 'HOST="  "\n', 'HOST="  "')
fx(145, "host-empty-comment", "HOST= \n# comment\n", "HOST= then a comment line")

# ---------------------------------------------------------------- errors
group("Lines that do not parse", "each is skipped and parsing goes on")
fx(150, "colon-syntax", "HOST: 127.0.0.150\nPORT=8001\n", "`HOST: x`")
fx(151, "space-syntax", "HOST 127.0.0.151\nPORT=8001\n", "`HOST x`")
fx(152, "equals-first", "=127.0.0.152\nHOST=10.0.0.152\n", "`=value`")
fx(153, "lone-single-quote", "'\nHOST=127.0.0.153\n", "lone '")
fx(154, "lone-double-quote", '"\nHOST=127.0.0.154\n',
   'lone " is a bare key named "')
fx(155, "ini-section", "[server]\nHOST=127.0.0.155\n",
   "`[server]` is a bare key")
fx(156, "errors-then-host",
   "HOST: 10.0.0.1\nHOST 10.0.0.2\n='x'\n'HOST\nHOST=127.0.0.156\n",
   "several bad lines, then a good one")
fx(157, "export-then-word", "export export HOST=127.0.0.157\nPORT=8001\n",
   "`export export HOST=` is an error")

# ---------------------------------------------------------------- encoding
group("BOM and encodings", "a UTF-8 BOM is part of the first key; "
      "non-UTF-8 files fail to load")
fx(160, "bom-host", BOM + "HOST=127.0.0.160\n", "BOM then HOST: ignored")
fx(161, "bom-blank-line", BOM + "\nHOST=127.0.0.161\n",
   "BOM on its own line is a bare key")
fx(162, "bom-comment", BOM + "# FlowMeter\nHOST=127.0.0.162\n",
   "BOM before a comment")
fx(163, "bom-port-first", BOM + "PORT=8001\nHOST=127.0.0.163\n",
   "BOM eats PORT, HOST read")
fx(164, "bom-export", BOM + "export HOST=127.0.0.164\nPORT=8001\n",
   "BOM before export: parse error")
fx(165, "mid-file-bom", "PORT=8001\n" + BOM + "HOST=127.0.0.165\n",
   "a BOM in the middle of the file is also part of a key")
fx(166, "utf16le", ("\ufeffHOST=127.0.0.166\n").encode("utf-16-le"),
   "UTF-16LE with BOM: UnicodeDecodeError")
fx(167, "latin1", b"HOST=127.0.0.167\nAPP_NAME=Caf\xe9\n",
   "one Latin-1 byte: the whole file fails")
fx(168, "utf8-surrogate", b"HOST=127.0.0.168\nX=\xed\xa0\x80\n",
   "an encoded surrogate (CESU-8): invalid UTF-8")
fx(169, "utf8-value", "APP_NAME=Caf\u00e9 \u2603\nHOST=127.0.0.169\n",
   "valid non-ASCII UTF-8")

# ---------------------------------------------------------------- newlines
group("Line endings", "CRLF, lone CR, mixed, CR(LF) inside quotes "
      "(Python's universal newlines turn them into LF), no final newline, "
      "empty and comment-only files")
fx(170, "crlf", "APP_NAME=FlowMeter\r\nHOST=127.0.0.170\r\nPORT=8001\r\n",
   "CRLF")
fx(171, "lone-cr", "APP_NAME=FlowMeter\rHOST=127.0.0.171\rPORT=8001\r",
   "lone CR")
fx(172, "mixed-endings", "A=1\r\nHOST=127.0.0.172\rPORT=8001\nB=2\n\r",
   "CRLF, CR, LF, LF CR")
fx(173, "crlf-in-double-quotes", 'HOST="127.0.0.173\r\nfoo"\r\nPORT=8001\r\n',
   "CRLF inside a double-quoted value becomes LF")
fx(174, "cr-in-single-quotes", "HOST='127.0.0.174\rx'\n",
   "lone CR inside single quotes becomes LF")
fx(175, "no-final-newline", "PORT=8001\nHOST=127.0.0.175", "no final newline")
fx(176, "only-blank-lines", "\n\n  \n\t\n\r\n", "only blank lines")
fx(177, "empty", "", "empty file")
fx(178, "only-comments", "# HOST=127.0.0.1\n  # PORT=8001\n#\n",
   "only comments")
fx(179, "crlf-comment-after-quote", 'HOST="127.0.0.179"  # c\r\nPORT=8001\r\n',
   "CRLF after a comment after a quote")
fx(180, "cr-splits-unquoted", "HOST=10.0.0.180\rHOST=127.0.0.180\n",
   "a lone CR in what looks like one line splits it")

# ---------------------------------------------------------------- whitespace
group("Unusual whitespace", "Python's \\s is Unicode: VT, FF, \\x1c-\\x1f, "
      "U+0085, U+00A0, U+2028, U+3000 act as blanks around keys, `=` and `#`; "
      "U+200B and U+FEFF do not")
fx(190, "vertical-tab", "\vHOST\v=\v127.0.0.190\v#c\v\n", "VT everywhere")
fx(191, "form-feed", "\fHOST\f=127.0.0.191\f\n", "FF")
fx(192, "ascii-separators", "HOST\x1f=\x1c127.0.0.192\x1d#c\x1e\n",
   "\\x1c-\\x1f (whitespace for Python, not for Go's unicode.IsSpace)")
fx(193, "nbsp", "\u00a0HOST\u00a0=\u00a0127.0.0.193\u00a0#c\n", "U+00A0")
fx(194, "line-separator", "HOST=127.0.0.194\u2028PORT=8001\n",
   "U+2028 is not a line end: PORT is part of the value")
fx(195, "ideographic-space", "HOST\u3000=\u3000127.0.0.195\u3000#\u3000c\n",
   "U+3000")
fx(196, "nel", "HOST=127.0.0.196\u0085# c\n", "U+0085 before #")
fx(197, "export-nbsp", "export\u00a0HOST=127.0.0.197\n", "export, NBSP")
fx(198, "zero-width-space", "HOST\u200b=127.0.0.198\n",
   "U+200B is not whitespace: another key")
fx(199, "nbsp-only-value", "HOST=\u00a0\n", "HOST=<NBSP>: empty")
fx(200, "nbsp-quoted-value", 'HOST="\u00a0"\n', 'HOST="<NBSP>" keeps it')
fx(201, "leading-u2028", "\u2028HOST=127.0.0.201\n", "U+2028 before the key")
fx(202, "trailing-unicode-blanks", "HOST=127.0.0.202\u3000\u00a0\x1f\u2029\n",
   "Unicode blanks stripped from the end of a value")

# ---------------------------------------------------------------- NUL, size
group("NUL and size", "NUL bytes in values, a 100 KB value, a ~900 KB file")
fx(210, "nul-in-value", "HOST=127.0.0.210\x00.evil\n", "NUL in a value")
fx(211, "nul-in-quoted", 'HOST="127.0.0.211\x00"\nPORT=8001\n',
   "NUL in a quoted value")
fx(212, "long-value-100k",
   "LONG_VALUE=" + "x" * (100 * 1024) + "\nHOST=127.0.0.212\n",
   "a 100 KB value, then HOST")
fx(213, "long-quoted-multiline",
   'NOTE="' + ("y" * 79 + "\n") * 1024 + '"\nHOST=127.0.0.213\n',
   "an 80 KB double-quoted value over 1024 lines, then HOST")


def huge():
    lines = []
    size = 0
    i = 0
    while size < 900 * 1024:
        if i % 4 == 3:
            line = "# comment %06d %s\n" % (i, "c" * 200)
        else:
            line = "SETTING_%06d=value-%06d-%s\n" % (i, i, "z" * 200)
        lines.append(line)
        size += len(line)
        i += 1
    return "".join(lines) + "HOST=127.0.0.214"


# Kept to ~3,300 keys: python-dotenv's interpolation copies the whole
# environment plus every earlier key for each value (quadratic), so 30,000
# short keys would take the oracle ~5 s per read.
fx(214, "huge-900k", huge(), "~900 KB of settings and comments, HOST on the "
   "last line (no final newline)")

# ---------------------------------------------------------------- real files
group(".env.example and HOST values", "FlowMeter's .env.example and "
      "variants with the host strings uvicorn treats differently")
fx(220, "env-example", env_example("0.0.0.0"), ".env.example as shipped")
for n, (slug, host) in enumerate([
        ("localhost", "localhost"),
        ("127-0-0-1", "127.0.0.1"),
        ("ipv6-loopback", "::1"),
        ("ipv6-any", "::"),
        ("zero", "0"),
        ("127-1-short", "127.1"),
        ("hex-octet", "0x7f.1"),
        ("lan-address", "10.0.0.5"),
        ("hostname", "flowmeter.lab.internal"),
        ("ipv6-link-local-zone", "fe80::1%eth0"),
        ("bracketed-ipv6", "[::1]"),
        ("host-with-port", "127.0.0.1:8000"),
], start=221):
    fx(n, "env-example-" + slug, env_example(host), ".env.example, HOST=" + host)
fx(233, "env-example-risky", env_example(
    "0.0.0.0", "ALLOW_UNSAFE_FORMULAS=true\nCORS_ORIGINS=[\"*\"]\n"),
   ".env.example plus ALLOW_UNSAFE_FORMULAS=true and a later CORS_ORIGINS=[\"*\"]")
fx(234, "env-example-commented-fix",
   env_example("0.0.0.0").replace("HOST=0.0.0.0\n",
                                  "# HOST=127.0.0.1\nHOST=0.0.0.0\n"),
   "the fix commented out above the real line")
fx(235, "env-example-fix-appended",
   env_example("0.0.0.0", "HOST=127.0.0.1\n"), "HOST=127.0.0.1 appended at the end")
fx(236, "env-example-crlf", env_example("127.0.0.1").replace("\n", "\r\n"),
   ".env.example saved with CRLF")
fx(237, "env-example-bom", BOM + env_example("127.0.0.1"),
   ".env.example saved with a BOM: the BOM before the first comment becomes a bare key")

# ---------------------------------------------------------------- port
group("PORT", "PORT strings before int(): plain, quoted with blanks, "
      "interpolated, empty, forms Python's int() accepts")
fx(240, "port-8001", "HOST=127.0.0.240\nPORT=8001\n", "PORT=8001")
fx(241, "port-quoted-blanks", 'HOST=127.0.0.241\nPORT=" 8002 "\n',
   'PORT=" 8002 " (int() strips blanks)')
fx(242, "port-interp", "OTHER=8003\nPORT=${OTHER}\nHOST=127.0.0.242\n",
   "PORT=${OTHER}")
fx(243, "port-empty", "HOST=127.0.0.243\nPORT=\n", "PORT= (int() fails)")
fx(244, "port-underscore", "HOST=127.0.0.244\nPORT=80_05\n",
   "PORT=80_05 (Python int() accepts)")
fx(245, "port-arabic-digits", "HOST=127.0.0.245\nPORT=\u0668\u0660\u0660\u0666\n",
   "Arabic-Indic digits (Python int() accepts)")
fx(246, "port-bare-after-value", "HOST=127.0.0.246\nPORT=8001\nPORT\n",
   "bare PORT after a value: default")
fx(247, "port-plus-zeros", "HOST=127.0.0.247\nPORT=+08007\n", "PORT=+08007")
fx(248, "port-interp-env", "HOST=127.0.0.248\nPORT=${LG_UNDEFINED_VAR:-8009}\n",
   "PORT from a default")


def main():
    os.makedirs(OUT, exist_ok=True)
    seen = set()
    written = []
    last = 0
    for _title, _text, items in GROUPS:
        for number, slug, content, _note in items:
            assert number > last, "numbers must increase: %d" % number
            last = number
            assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]*", slug), slug
            name = "%03d-%s.env" % (number, slug)
            assert name not in seen, name
            seen.add(name)
            data = content if isinstance(content, bytes) else content.encode("utf-8")
            with open(os.path.join(OUT, name), "wb") as f:
                f.write(data)
            written.append(name)
    for name in os.listdir(OUT):
        if name.endswith(".env") and name not in seen:
            os.remove(os.path.join(OUT, name))
    with open(os.path.join(OUT, "README.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write(readme())
    sys.stdout.write("wrote %d fixtures to %s\n" % (len(written), OUT))


def readme():
    out = [
        "# .env fixtures (generated)",
        "",
        "Do not edit: every file here, this README included, is written by",
        "`../make_corpus.py` (`/usr/bin/python3 envfix/testdata/make_corpus.py`).",
        "Expected readings come from the oracle `../flowmeter_read.py`",
        "(python-dotenv 0.21 + pydantic's case fold), run with",
        "`LG_TEST_VAR=from-env LG_EMPTY_VAR=` set and `LG_UNDEFINED_VAR` unset.",
        "",
    ]
    for title, text, items in GROUPS:
        first, lastn = items[0][0], items[-1][0]
        out.append("## %03d-%03d %s" % (first, lastn, title))
        out.append("")
        out.append(text[0].upper() + text[1:] + ".")
        out.append("")
        for number, slug, _content, note in items:
            out.append("- `%03d-%s.env`: %s" % (number, slug, note))
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    main()
