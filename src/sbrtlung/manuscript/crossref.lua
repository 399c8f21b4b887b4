--[[
Quarto-style cross references for plain pandoc (the fallback of sbrtlung.manuscript.render).

Numbers, in document order and separately per kind, every
  figure  ![caption](path){#fig-x}   or  ::: {#fig-x} image, then the caption paragraph :::
  table   a table captioned `: caption {#tbl-x}` / `Table: caption {#tbl-x}`, or
          ::: {#tbl-x} a table, then an optional caption paragraph ::: (without one, the
          table's own caption is kept: this is how generated tables are labelled)
prefixes each caption with "Figure 1:" / "Table 1:", and replaces @fig-x by "Figure 1",
[-@fig-x] by "1", [@fig-x; @tbl-y] by "Figure 1, Table 1", each a link to its target.
Metadata `crossref` may set fig-title, tbl-title, fig-prefix, tbl-prefix and title-delim
(Quarto's names and defaults). The top-level metadata `crossref-number-prefix` is put before
every number ("S" numbers a supplement's items Figure S1, Table S1): the fallback's own key,
outside `crossref` because Quarto's schema of `crossref` admits no other key. A
figure or table div keeps its classes (`.column-page` widens a figure in HTML). A reference to a missing label, a reference of another kind
(sec-, eq-, ...), a duplicated label or a citation mixing references and works is an error:
pandoc stops and names it. Run it before --citeproc. Quarto-style author maps are reduced to
their `name`, which pandoc's templates print.
]]

local RESERVED = { fig = true, tbl = true, sec = true, eq = true, lst = true, thm = true }
local NBSP = "\u{a0}"

local labels = {}
local counts = { fig = 0, tbl = 0 }
local options = {}

local function kind_of(id)
  local kind = id:match("^(%a+)%-")
  return kind and kind:lower()
end

local function setting(crossref, key, default)
  if crossref and crossref[key] ~= nil then
    return pandoc.utils.stringify(crossref[key])
  end
  return default
end

local function read_options(meta)
  local crossref = meta.crossref
  local prefix = meta["crossref-number-prefix"]
  options = {
    fig = { title = setting(crossref, "fig-title", "Figure"), prefix = setting(crossref, "fig-prefix", "Figure") },
    tbl = { title = setting(crossref, "tbl-title", "Table"), prefix = setting(crossref, "tbl-prefix", "Table") },
    delim = setting(crossref, "title-delim", ":"),
    number_prefix = prefix and pandoc.utils.stringify(prefix) or "",
  }
end

-- The next number of the label's kind; the caption blocks get "Figure 1:" in front.
local function number(id, caption)
  if labels[id] then
    error("crossref: label '" .. id .. "' is defined twice", 0)
  end
  local kind = kind_of(id)
  counts[kind] = counts[kind] + 1
  local n = options.number_prefix .. counts[kind]
  labels[id] = { kind = kind, n = n }
  local label = pandoc.Strong({ pandoc.Str(options[kind].title .. NBSP .. n .. options.delim) })
  if #caption == 0 or caption[1].t ~= "Plain" and caption[1].t ~= "Para" then
    caption:insert(1, pandoc.Plain({ label }))
  else
    caption[1].content:insert(1, pandoc.Space())
    caption[1].content:insert(1, label)
  end
  return caption
end

local function is_label(id, kind)
  return id ~= "" and kind_of(id) == kind
end

-- A trailing paragraph of a div is its caption (Quarto's div syntax).
local function split_caption(content)
  local last = content[#content]
  if #content > 1 and (last.t == "Para" or last.t == "Plain") then
    return pandoc.Blocks({ table.unpack(content, 1, #content - 1) }), pandoc.Blocks({ pandoc.Plain(last.content) })
  end
  return content, nil
end

local function table_div(div)
  local body, caption = split_caption(div.content)
  local tables = body:filter(function(b) return b.t == "Table" end)
  if #body ~= 1 or #tables ~= 1 then
    error("crossref: div #" .. div.identifier .. " must hold one table (and a caption paragraph)", 0)
  end
  local tbl = tables[1]
  tbl.identifier = div.identifier
  tbl.classes:extend(div.classes)
  tbl.caption.long = number(div.identifier, caption or tbl.caption.long)
  return tbl
end

local function image_of(block)
  if block.t == "Figure" then
    return block.content
  end
  if (block.t == "Para" or block.t == "Plain") and #block.content == 1 and block.content[1].t == "Image" then
    return pandoc.Blocks({ pandoc.Plain(block.content) })
  end
  return nil
end

local function figure_div(div)
  local body, caption = split_caption(div.content)
  local content = #body == 1 and image_of(body[1])
  if not content then
    error("crossref: div #" .. div.identifier .. " must hold one image (and a caption paragraph)", 0)
  end
  caption = caption or (body[1].t == "Figure" and body[1].caption.long) or pandoc.Blocks({})
  local attr = pandoc.Attr(div.identifier, div.classes)
  return pandoc.Figure(content, { long = number(div.identifier, caption) }, attr)
end

local number_targets = {
  traverse = "topdown",
  Div = function(div)
    if is_label(div.identifier, "tbl") then
      return table_div(div), false
    elseif is_label(div.identifier, "fig") then
      return figure_div(div), false
    end
  end,
  Figure = function(fig)
    if is_label(fig.identifier, "fig") then
      fig.caption.long = number(fig.identifier, fig.caption.long)
      return fig
    end
  end,
  Table = function(tbl)
    if is_label(tbl.identifier, "tbl") then
      tbl.caption.long = number(tbl.identifier, tbl.caption.long)
      return tbl
    end
  end,
}

-- typst resolves image paths against its root, not pandoc's working directory.
local absolute_images = {
  Image = function(img)
    if pandoc.path.is_relative(img.src) and not img.src:match("^%a[%w+.-]*:") then
      img.src = pandoc.path.normalize(pandoc.path.join({ pandoc.system.get_working_directory(), img.src }))
      return img
    end
  end,
}

local unresolved = {}

local function reference(citation)
  local id = citation.id
  local entry = labels[id] or labels[id:sub(1, 1):lower() .. id:sub(2)]
  if not entry then
    table.insert(unresolved, "@" .. id)
    return pandoc.Inlines({ pandoc.Str("@" .. id) })
  end
  local text = tostring(entry.n)
  if citation.mode ~= "SuppressAuthor" then
    text = options[entry.kind].prefix .. NBSP .. text
  end
  local target = labels[id] and id or id:sub(1, 1):lower() .. id:sub(2)
  local out = pandoc.Inlines({})
  if #citation.prefix > 0 then
    out:extend(citation.prefix)
    out:insert(pandoc.Space())
  end
  out:insert(pandoc.Link({ pandoc.Str(text) }, "#" .. target))
  out:extend(citation.suffix)
  return out
end

local resolve_references = {
  Cite = function(cite)
    local refs = 0
    for _, c in ipairs(cite.citations) do
      if RESERVED[kind_of(c.id) or ""] then
        refs = refs + 1
      end
    end
    if refs == 0 then
      return nil
    end
    if refs < #cite.citations then
      error("crossref: cross references and citations mixed in " .. pandoc.utils.stringify(cite.content), 0)
    end
    local out = pandoc.Inlines({})
    for i, c in ipairs(cite.citations) do
      if i > 1 then
        out:extend({ pandoc.Str(","), pandoc.Space() })
      end
      out:extend(reference(c))
    end
    return out
  end,
}

-- Quarto's `author: [{name: ...}]` as the plain names pandoc's templates print.
local function author_names(meta)
  local authors = meta.author
  if authors == nil then
    return
  end
  if pandoc.utils.type(authors) ~= "List" then
    authors = pandoc.List({ authors })
  end
  meta.author = authors:map(function(author)
    if pandoc.utils.type(author) == "table" and author.name ~= nil then
      return author.name
    end
    return author
  end)
end

function Pandoc(doc)
  read_options(doc.meta)
  author_names(doc.meta)
  doc = doc:walk(number_targets)
  doc = doc:walk(resolve_references)
  if #unresolved > 0 then
    error("crossref: unresolved cross reference(s) " .. table.concat(unresolved, ", ")
      .. " (no figure or table with that label; the fallback numbers figures and tables only)", 0)
  end
  if FORMAT == "typst" then
    doc = doc:walk(absolute_images)
  end
  return doc
end
