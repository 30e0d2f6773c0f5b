"""The map in the formats hosts read: _redirects (Netlify, Cloudflare Pages) and nginx."""

from __future__ import annotations

import json

import pytest

from condividi.migrate.redirect_hosts import (
    GENERATED,
    OwnRedirectsConflict,
    merge_own_redirects,
    netlify_redirects,
    nginx_includes,
    nginx_location,
    nginx_string,
    rule_key,
    shortlink_parameters,
    shortlinks,
)
from condividi.migrate.redirect_plan import PlannedRedirect


def planned(source: str, target: str, status: int = 301, line: int = 1) -> PlannedRedirect:
    return PlannedRedirect(source, target, status, f"content/redirects.txt:{line}")


REDIRECTS = [
    planned("/2013/05/perch%C3%A9/", "/perche/"),
    planned("/?p=123", "/perche/", line=2),
    planned("/?m=201305&paged=2", "/archivio/", 302, line=3),
    planned("/feed/", "/feeds/atom.xml", 308, line=4),
    planned("/vecchio.html", "https://altrove.example.org/x?y=1", 307, line=5),
]


def rules(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_netlify_lines_carry_every_status_and_netlifys_query_form() -> None:
    text, warnings = netlify_redirects(REDIRECTS, "", "content/redirects.txt")
    assert warnings == []
    assert text.startswith(f"{GENERATED} from content/redirects.txt")
    assert rules(text) == [
        "/2013/05/perch%C3%A9/  /perche/  301",
        "/  p=123  /perche/  301!",
        "/  m=201305 paged=2  /archivio/  302!",
        "/feed/  /feeds/atom.xml  308",
        "/vecchio.html  https://altrove.example.org/x?y=1  307",
    ]


def test_cloudflare_reads_no_query_line_as_a_rule_for_the_home_page() -> None:
    # Cloudflare Pages takes lines of exactly two or three words: a query line has four or
    # more and is skipped, where "/?p=123 /perche/" would redirect "/" itself.
    text, _ = netlify_redirects(REDIRECTS, "", "m")
    for line in rules(text):
        words = line.split()
        query = not words[1].startswith(("/", "https://"))
        assert len(words) >= 4 if query else len(words) == 3
        assert "?" not in words[0]


def test_a_site_under_a_path_gets_it_in_front_of_old_and_new_paths() -> None:
    text, _ = netlify_redirects(REDIRECTS[:2], "/blog", "m")
    assert rules(text) == [
        "/blog/2013/05/perch%C3%A9/  /blog/perche/  301",
        "/blog/  p=123  /blog/perche/  301!",
    ]


def test_patterns_and_unmatchable_queries_are_left_out_with_a_warning() -> None:
    text, warnings = netlify_redirects(
        [
            planned("/a*/", "/b/"),
            planned("/x:y/", "/b/", line=2),
            planned("/?a=b=c", "/b/", line=3),
        ],
        "",
        "m",
    )
    assert rules(text) == []
    assert [w.split(":")[1] for w in warnings] == ["1", "2", "3"]


def test_cloudflare_limits_are_warned_about() -> None:
    plain_http = [planned("/a/", "http://altrove.example.org/")]
    assert "only https://" in netlify_redirects(plain_http, "", "m")[1][0]
    many = [planned(f"/{n}/", "/b/") for n in range(2001)]
    assert any("first 2000" in w for w in netlify_redirects(many, "", "m")[1])
    long = [planned("/" + "a" * 1000 + "/", "/b/")]
    assert any("1000 characters" in w for w in netlify_redirects(long, "", "m")[1])


def test_the_sites_own_redirects_follow_the_maps() -> None:
    generated, _ = netlify_redirects(REDIRECTS[:2], "", "m")
    own = "# mine\n/news/*  /blog/:splat  301\n"
    merged = merge_own_redirects(generated, own, "content/extra/_redirects")
    assert merged.startswith(generated)
    assert merged.endswith("# The site's own _redirects (content/extra/_redirects):\n" + own)


@pytest.mark.parametrize(
    "line", ["/2013/05/perch%C3%A9/ /altro/ 302", "/  p=123  /altro/", "/ p=123 /x/ 301! # c"]
)
def test_an_old_address_in_both_files_is_an_error_naming_the_sites_line(line: str) -> None:
    generated, _ = netlify_redirects(REDIRECTS[:2], "", "m")
    with pytest.raises(OwnRedirectsConflict, match=r"content/_redirects:2 \((/2013|/ p=123)"):
        merge_own_redirects(generated, f"# mine\n{line}\n", "content/_redirects")


def test_rule_keys() -> None:
    assert rule_key("  # comment") is None
    assert rule_key("/a /b 301") == ("/a", ())
    assert rule_key("/ p=1 id=2 /b 301!") == ("/", ("id=2", "p=1"))
    assert rule_key("/a https://x.org/ 302 Country=it") == ("/a", ())


def test_nginx_strings_and_locations_escape_what_nginx_reads() -> None:
    assert nginx_string('/a"b\\c/') == '"/a\\"b\\\\c/"'
    assert nginx_location("https://x.org/$var?a=%C3%A9") == "https://x.org/%24var?a=%C3%A9"


def test_nginx_maps_decode_paths_and_chain_the_queries() -> None:
    includes, warnings = nginx_includes(REDIRECTS, "https://blog.example.org", "m")
    assert warnings == []
    http = includes.http
    assert 'map $uri $condividi_redirect_path {\n    default "";\n' in http
    assert '"/2013/05/perché/" "301 https://blog.example.org/perche/$is_args$args";' in http
    # an old feed address passes its query on; a full URL with a query keeps its own
    assert '"/feed/" "308 https://blog.example.org/feeds/atom.xml$is_args$args";' in http
    assert '"/vecchio.html" "307 https://altrove.example.org/x?y=1";' in http
    assert (
        'map "$uri?$args" $condividi_redirect_query {\n    default $condividi_redirect_path;\n'
        '    "/?m=201305&paged=2" "302 https://blog.example.org/archivio/";' in http
    )
    assert (
        'map "$uri?p=$arg_p" $condividi_redirect {\n    default $condividi_redirect_query;\n'
        '    "/?p=123" "301 https://blog.example.org/perche/";' in http
    )
    for status in (301, 302, 307, 308):
        assert f'"~^{status} (.+)$" "$1";' in http
        line = (
            f"if ($condividi_redirect_{status}) {{ return {status} $condividi_redirect_{status}; }}"
        )
        assert line in includes.server.splitlines()


def test_nginx_with_no_query_sets_the_variable_from_the_path_map() -> None:
    includes, _ = nginx_includes(REDIRECTS[:1], "https://blog.example.org/blog/", "m")
    assert 'map $uri $condividi_redirect {\n    default "";\n' in includes.http
    assert '"/blog/2013/05/perché/" "301 https://blog.example.org/blog/perche/$is_args$args"' in (
        includes.http
    )


def test_nginx_hash_sizes_fit_the_longest_key_and_the_count() -> None:
    short, _ = nginx_includes(REDIRECTS, "https://x.org", "m")
    assert "map_hash_bucket_size 64;" in short.http
    assert "map_hash_max_size 2048;" in short.http
    long = [planned("/" + "è" * 100 + "/", "/b/")] + [planned(f"/{n}/", "/b/") for n in range(3000)]
    includes, _ = nginx_includes(long, "https://x.org", "m")
    assert "map_hash_bucket_size 256;" in includes.http  # 202 bytes of key
    assert "map_hash_max_size 8192;" in includes.http


def test_nginx_leaves_out_a_path_with_control_characters() -> None:
    includes, warnings = nginx_includes([planned("/a%0Ab/", "/b/")], "https://x.org", "m")
    assert '"/a\nb/"' not in includes.http
    assert warnings and "control character" in warnings[0]


def test_shortlinks_are_the_home_pages_queries() -> None:
    mapping = shortlinks([*REDIRECTS, planned("/index.php?p=9", "/x/")], "/blog")
    assert mapping == {"p=123": "/blog/perche/", "m=201305&paged=2": "/blog/archivio/"}
    assert json.loads(json.dumps(mapping)) == mapping
    assert shortlink_parameters(["/?p=1", "/?page_id=2&x=", "/a/?cat=3", "/b/"]) == [
        "p",
        "page_id",
        "x",
    ]
