#!/usr/bin/env python3
"""Checks the links of a site written by `edict doc`: every href and src that is not an http(s) or
mailto address names a file of the site, and its fragment, if any, an id in that file. Every page
links only within the site (no CDN, nothing fetched from elsewhere: no src or stylesheet outside it).
Usage: doc_links.py SITE_DIR"""
import html.parser
import os
import sys
import urllib.parse


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.links, self.resources = set(), [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag in ("script", "img", "iframe") and "src" in a:
            self.resources.append(a["src"])
        if tag == "link" and "href" in a:
            self.resources.append(a["href"])


site = sys.argv[1]
pages = {}
for name in sorted(os.listdir(site)):
    if name.endswith(".html"):
        p = Page()
        with open(os.path.join(site, name), encoding="utf-8") as f:
            p.feed(f.read())
        pages[name] = p

problems, checked = [], 0
for name, page in pages.items():
    for res in page.resources:
        u = urllib.parse.urlparse(res)
        if u.scheme or u.netloc or not os.path.isfile(os.path.join(site, u.path)):
            problems.append(f"{name}: `{res}` is not a file of the site")
    for href in page.links:
        u = urllib.parse.urlparse(href)
        if u.scheme in ("http", "https", "mailto"):
            continue
        checked += 1
        target = u.path or name
        if u.scheme or u.netloc or target not in pages and not os.path.isfile(os.path.join(site, target)):
            problems.append(f"{name}: link `{href}`: no such page")
            continue
        if u.fragment and target in pages and u.fragment not in pages[target].ids:
            problems.append(f"{name}: link `{href}`: {target} has no id `{u.fragment}`")
for p in problems[:50]:
    print(p, file=sys.stderr)
if problems:
    sys.exit(f"{len(problems)} broken link(s) in {len(pages)} pages")
print(f"links: {checked} internal links in {len(pages)} pages, all resolve")
