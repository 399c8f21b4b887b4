-- HTML only, after crossref.lua: each figure and table caption ends with a small link to the
-- entry of the audit page that traces the float to its rule, code and raw exports
-- (sbrtlung.manuscript.audit_links). The metadata `audit-document` names the document.
local document = ""

local function marker(id)
  local link = pandoc.Link({ pandoc.Str("audit") }, "audit.html#" .. document .. "-" .. id,
    "rule, code and raw exports of this " .. (id:match("^fig%-") and "figure" or "table"),
    pandoc.Attr("", { "audit-float" }))
  return link
end

local function add(caption, id)
  if #caption == 0 or (caption[#caption].t ~= "Plain" and caption[#caption].t ~= "Para") then
    caption:insert(pandoc.Plain({}))
  end
  local last = caption[#caption].content
  last:insert(pandoc.Space())
  last:insert(marker(id))
  return caption
end

return {
  {
    Meta = function(meta)
      document = pandoc.utils.stringify(meta["audit-document"] or "")
    end,
  },
  {
    Figure = function(fig)
      if fig.identifier:match("^fig%-") then
        fig.caption.long = add(fig.caption.long, fig.identifier)
        return fig
      end
    end,
    Table = function(tbl)
      if tbl.identifier:match("^tbl%-") then
        tbl.caption.long = add(tbl.caption.long, tbl.identifier)
        return tbl
      end
    end,
  },
}
