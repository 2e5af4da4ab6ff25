// The hovered row's thumbnail in a card beside plotly's hover label (which holds text only).
//
// One script for the app's maps and for the exported pages (see hover_images.py). It is
// written as plain function declarations, so it runs as it is inside a classic <script>, a
// plotly post_script and an ES module. Thumbnails arrive as a table of data: URIs by row id;
// each is checked again before it becomes an <img> source, and nothing is ever written as
// markup.

var HOVER_IMAGE_PREFIX = "data:image/webp;base64,";
var HOVER_IMAGE_PIXELS = 128;
var HOVER_IMAGE_GAP = 16;
var HOVER_IMAGE_MARGIN = 4;

function hoverImageCard() {
  // One card for the whole document: a page with two maps hovers one point at a time.
  var card = document.getElementById("hover-thumbnail");
  if (card) return card;
  card = document.createElement("div");
  card.id = "hover-thumbnail";
  card.setAttribute("aria-hidden", "true");
  var style = card.style;
  style.position = "fixed";
  style.zIndex = "1000000";
  style.pointerEvents = "none";
  style.display = "none";
  style.padding = "4px";
  style.background = "#ffffff";
  style.border = "1px solid #d3d7df";
  style.borderRadius = "6px";
  style.boxShadow = "0 4px 14px rgba(20, 24, 36, 0.2)";
  var image = document.createElement("img");
  image.alt = "";
  image.width = HOVER_IMAGE_PIXELS;
  image.height = HOVER_IMAGE_PIXELS;
  image.style.display = "block";
  image.style.objectFit = "contain";
  card.appendChild(image);
  document.body.appendChild(card);
  return card;
}

function hideHoverImage() {
  var card = document.getElementById("hover-thumbnail");
  if (card) card.style.display = "none";
}

function hoveredRow(point) {
  // customdata holds the row id as [id]; a typed array arrives as an array-like.
  var custom = point ? point.customdata : undefined;
  if (custom !== null && typeof custom === "object" && custom.length !== undefined) {
    custom = custom[0];
  }
  var row = Number(custom);
  return Number.isInteger(row) && row >= 0 ? String(row) : null;
}

function hoverAnchor(graph, point, pointer) {
  // Where the point is on screen. Plotly's box around it is measured from the graph's
  // offset parent (the graph's offsetLeft and clientLeft are added to it); else the pointer.
  var frame = graph.getBoundingClientRect();
  var box = point && point.bbox;
  if (box && isFinite(box.x0) && isFinite(box.y0)) {
    return {
      x: frame.left + (box.x0 + box.x1) / 2 - graph.offsetLeft - graph.clientLeft,
      y: frame.top + (box.y0 + box.y1) / 2 - graph.offsetTop - graph.clientTop,
    };
  }
  if (pointer && isFinite(pointer.clientX)) return { x: pointer.clientX, y: pointer.clientY };
  return { x: frame.left + frame.width / 2, y: frame.top + frame.height / 2 };
}

function placeHoverImage(card, graph, anchor) {
  // Beside the point, on the side away from plotly's label; above or below it when that side
  // has no room.
  // Within the graph's own width, so the card never covers the sidebar beside the map.
  var width = card.offsetWidth;
  var height = card.offsetHeight;
  var frame = graph.getBoundingClientRect();
  var leftmost = Math.max(HOVER_IMAGE_MARGIN, frame.left);
  var right = Math.min(window.innerWidth, frame.right) - HOVER_IMAGE_MARGIN - width;
  var bottom = window.innerHeight - HOVER_IMAGE_MARGIN - height;
  var label = graph.querySelector(".hoverlayer .hovertext");
  var labelBox = label ? label.getBoundingClientRect() : null;
  var labelOnRight = !labelBox || labelBox.left + labelBox.width / 2 >= anchor.x;
  var left = labelOnRight ? anchor.x - HOVER_IMAGE_GAP - width : anchor.x + HOVER_IMAGE_GAP;
  var top = anchor.y - height / 2;
  if (left < leftmost || left > right) {
    left = anchor.x - width / 2;
    top = anchor.y - HOVER_IMAGE_GAP - height;
    if (labelBox && top + height > labelBox.top) top = Math.min(top, labelBox.top - 4 - height);
    if (top < HOVER_IMAGE_MARGIN) {
      top = Math.max(anchor.y, labelBox ? labelBox.bottom : anchor.y) + HOVER_IMAGE_GAP;
    }
  }
  card.style.left = Math.round(Math.max(leftmost, Math.min(left, right))) + "px";
  card.style.top = Math.round(Math.max(HOVER_IMAGE_MARGIN, Math.min(top, bottom))) + "px";
}

function thumbnailOf(tables, row) {
  // A row's thumbnail from any of a graph's tables, or null.
  for (var part in tables) {
    if (Object.prototype.hasOwnProperty.call(tables, part)) {
      var table = tables[part];
      if (row !== null && Object.prototype.hasOwnProperty.call(table, row)) return table[row];
    }
  }
  return null;
}

function showHoverImage(graph, tables, event) {
  var point = event && event.points ? event.points[0] : null;
  var row = hoveredRow(point);
  var uri = thumbnailOf(tables, row);
  if (typeof uri !== "string" || uri.indexOf(HOVER_IMAGE_PREFIX) !== 0) {
    hideHoverImage();
    return;
  }
  var card = hoverImageCard();
  var image = card.firstChild;
  if (image.getAttribute("src") !== uri) image.src = uri;
  card.setAttribute("data-row", row);
  card.style.display = "block";
  placeHoverImage(card, graph, hoverAnchor(graph, point, event.event));
}

function hoverThumbnails(graph, thumbnails, part) {
  // Show thumbnails on hover over a drawn plotly graph div. A graph may take several tables,
  // each under its own `part` name; calling it again swaps that part's table. Plotly.newPlot
  // and Plotly.purge drop a graph's listeners and give it a new `on`, so a changed `on`
  // means the listeners must be added again.
  if (!graph || typeof graph.on !== "function") return false;
  var state = graph.__hoverThumbnails;
  if (!state || state.on !== graph.on) {
    state = { on: graph.on, tables: {} };
    state.hover = function (event) {
      showHoverImage(graph, state.tables, event);
    };
    graph.__hoverThumbnails = state;
    graph.on("plotly_hover", state.hover);
    graph.on("plotly_unhover", hideHoverImage);
  }
  state.tables[part || "rows"] = thumbnails;
  return true;
}

function stopHoverThumbnails(graph, part) {
  // Drop one part's table; the listeners go with the last one.
  var state = graph ? graph.__hoverThumbnails : null;
  if (!state) return;
  delete state.tables[part || "rows"];
  if (Object.keys(state.tables).length) return;
  if (state.on === graph.on && typeof graph.removeListener === "function") {
    graph.removeListener("plotly_hover", state.hover);
    graph.removeListener("plotly_unhover", hideHoverImage);
  }
  delete graph.__hoverThumbnails;
  hideHoverImage();
}

function followHoverThumbnails(selector, thumbnails, part) {
  // Keep hoverThumbnails on the graph div that `selector` finds while the page around it is
  // redrawn (the app replaces or re-plots its charts on every run): checked once per frame
  // in which the document changed. Returns {update(selector, thumbnails), stop()}.
  var follower = { selector: selector, thumbnails: thumbnails, graph: null, frame: 0 };
  function check() {
    follower.frame = 0;
    var graph = document.querySelector(follower.selector);
    if (follower.graph && follower.graph !== graph) {
      stopHoverThumbnails(follower.graph, part);
    }
    follower.graph = graph;
    if (graph) hoverThumbnails(graph, follower.thumbnails, part);
  }
  var observer = new MutationObserver(function () {
    if (!follower.frame) follower.frame = window.requestAnimationFrame(check);
  });
  observer.observe(document.body, { childList: true, subtree: true });
  check();
  return {
    update: function (nextSelector, nextThumbnails) {
      follower.selector = nextSelector;
      follower.thumbnails = nextThumbnails;
      check();
    },
    stop: function () {
      observer.disconnect();
      if (follower.frame) window.cancelAnimationFrame(follower.frame);
      stopHoverThumbnails(follower.graph, part);
      follower.graph = null;
    },
  };
}
