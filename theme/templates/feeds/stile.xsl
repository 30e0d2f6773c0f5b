<?xml version="1.0" encoding="utf-8"?>
{#- Rendered once per build (condividi.feeds): turns a feed opened in a browser into a page that
    explains how to subscribe. It reads Atom and RSS 2.0, loads only the site's own stylesheets,
    and has no script and no inline style. -#}
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="utf-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:variable name="title" select="string(/atom:feed/atom:title | /rss/channel/title)"/>
  <xsl:variable name="subtitle" select="string(/atom:feed/atom:subtitle | /rss/channel/description)"/>
  <xsl:variable name="self" select="string(/atom:feed/atom:link[@rel='self']/@href | /rss/channel/atom:link[@rel='self']/@href)"/>
  <xsl:variable name="home" select="string(/atom:feed/atom:link[@rel='alternate']/@href | /rss/channel/link)"/>

  <xsl:template match="/">
    <html lang="{{ DEFAULT_LANG|e }}">
      <head>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="color-scheme" content="light dark"/>
        <meta name="robots" content="noindex"/>
        <title><xsl:value-of select="$title"/> · {{ _("Web feed")|e }}</title>
        <link rel="stylesheet" href="{{ SITEURL|e }}/{{ THEME_STATIC_DIR|e }}/css/site.css"/>
        <link rel="stylesheet" href="{{ SITEURL|e }}/{{ THEME_STATIC_DIR|e }}/css/feed.css"/>
        <link rel="icon" href="{{ SITEURL|e }}/{{ THEME_STATIC_DIR|e }}/icons/favicon.svg" type="image/svg+xml"/>
      </head>
      <body>
        <header class="site-header">
          <div class="wrap">
            <p class="site-title"><a href="{{ SITEURL|e }}/" rel="home">{{ SITENAME|e }}</a></p>
          </div>
        </header>
        <main id="contenuto" class="wrap feed-page">
          <p class="feed-kicker">{{ _("Web feed")|e }}</p>
          <h1><xsl:value-of select="$title"/></h1>
          <xsl:if test="$subtitle != '' and $subtitle != $title">
            <p class="feed-subtitle"><xsl:value-of select="$subtitle"/></p>
          </xsl:if>

          <section aria-labelledby="feed-what">
            <h2 id="feed-what">{{ _("What is this page?")|e }}</h2>
            <p>{{ _("This is a web feed: the address that feed readers use to follow this site. You do not need to read it here. Give it to a feed reader and every new post reaches you by itself, with no account on this site, no algorithm choosing for you and no tracking.")|e }}</p>
          </section>

          <section aria-labelledby="feed-reader">
            <h2 id="feed-reader">{{ _("Subscribe with a feed reader")|e }}</h2>
            <ol class="feed-steps">
              <li>{{ _("Copy this address:")|e }} <code class="feed-url"><xsl:value-of select="$self"/></code></li>
              <li>{{ _("Paste it into your feed reader, where it says “Add feed” or “Subscribe”. Feed readers come as apps for phone and computer, as websites, and inside many email programs.")|e }}</li>
            </ol>
          </section>

          <section aria-labelledby="feed-email">
            <h2 id="feed-email">{{ _("Prefer email?")|e }}</h2>
            <p>{{ _("Get each new post in your inbox instead, one message per post:")|e }} <a href="{{ SITEURL|e }}/newsletter/">{{ _("subscribe to the newsletter")|e }}</a>.</p>
          </section>

          <section aria-labelledby="feed-latest">
            <h2 id="feed-latest">{{ _("Latest posts")|e }}</h2>
            <ul class="feed-entries">
              <xsl:for-each select="/atom:feed/atom:entry | /rss/channel/item">
                <li>
                  <a href="{atom:link[@rel='alternate']/@href | link}"><xsl:value-of select="atom:title | title"/></a>
                  <xsl:text> </xsl:text>
                  <xsl:choose>
                    <xsl:when test="atom:published">
                      <xsl:call-template name="iso-date"><xsl:with-param name="value" select="string(atom:published)"/></xsl:call-template>
                    </xsl:when>
                    <xsl:when test="atom:updated">
                      <xsl:call-template name="iso-date"><xsl:with-param name="value" select="string(atom:updated)"/></xsl:call-template>
                    </xsl:when>
                    <xsl:when test="pubDate">
                      <xsl:call-template name="rfc822-date"><xsl:with-param name="value" select="string(pubDate)"/></xsl:call-template>
                    </xsl:when>
                  </xsl:choose>
                </li>
              </xsl:for-each>
            </ul>
            <p><a href="{$home}">{{ _("Read them on the site")|e }}</a></p>
          </section>
        </main>
      </body>
    </html>
  </xsl:template>

  <!-- 2026-03-09T10:30:00+01:00 -->
  <xsl:template name="iso-date">
    <xsl:param name="value"/>
    <xsl:call-template name="date">
      <xsl:with-param name="day" select="number(substring($value, 9, 2))"/>
      <xsl:with-param name="month" select="number(substring($value, 6, 2))"/>
      <xsl:with-param name="year" select="substring($value, 1, 4)"/>
    </xsl:call-template>
  </xsl:template>

  <!-- Mon, 09 Mar 2026 10:30:00 +0100 -->
  <xsl:template name="rfc822-date">
    <xsl:param name="value"/>
    <xsl:variable name="months" select="'JanFebMarAprMayJunJulAugSepOctNovDec'"/>
    <xsl:call-template name="date">
      <xsl:with-param name="day" select="number(substring($value, 6, 2))"/>
      <xsl:with-param name="month" select="string-length(substring-before($months, substring($value, 9, 3))) div 3 + 1"/>
      <xsl:with-param name="year" select="substring($value, 13, 4)"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template name="date">
    <xsl:param name="day"/>
    <xsl:param name="month"/>
    <xsl:param name="year"/>
    <time class="feed-date" datetime="{concat($year, '-', format-number($month, '00'), '-', format-number($day, '00'))}">
{% for kind, text in FEEDS_DATE_PARTS %}
{% if kind == "day" %}
      <xsl:value-of select="$day"/>
{% elif kind == "year" %}
      <xsl:value-of select="$year"/>
{% elif kind == "month" %}
      <xsl:choose>
{% for name in FEEDS_MONTHS %}
        <xsl:when test="$month = {{ loop.index }}">{{ name|e }}</xsl:when>
{% endfor %}
      </xsl:choose>
{% else %}
      <xsl:text>{{ text|e }}</xsl:text>
{% endif %}
{% endfor %}
    </time>
  </xsl:template>
</xsl:stylesheet>
