"""What a page looks like in the browser, as lists a failing assertion can print: the elements
wider than the viewport, the text smaller than a size, the images that did not load."""

from __future__ import annotations

from typing import cast

from playwright.async_api import Page

# A name for an element that finds it in the page: its path from <body>, each step the tag with
# its id, classes, a data-* attribute the templates mark numbers with, or its place among
# siblings of its tag.
_NAME = """
const nameOf = (element) => {
  const steps = [];
  for (let at = element; at && at !== document.documentElement; at = at.parentElement) {
    let step = at.localName;
    if (at.id) step += "#" + at.id;
    for (const name of at.classList) step += "." + name;
    for (const attribute of at.attributes) {
      if (attribute.name.startsWith("data-")) step += `[${attribute.name}="${attribute.value}"]`;
    }
    const same = at.parentElement
      ? [...at.parentElement.children].filter((other) => other.localName === at.localName)
      : [];
    if (same.length > 1) step += `:nth-of-type(${same.indexOf(at) + 1})`;
    steps.unshift(step);
  }
  return steps.join(" > ");
};
"""

_OUTSIDE = (
    "([selector, outermost]) => {"
    + _NAME
    + """
  const width = document.documentElement.clientWidth;
  const outside = (element) => {
    const box = element.getBoundingClientRect();
    return (box.width > 0 || box.height > 0) && (box.left < -0.5 || box.right > width + 0.5);
  };
  return [...document.querySelectorAll(selector)]
    .filter(outside)
    .filter((element) => !outermost || !element.parentElement || !outside(element.parentElement))
    .map((element) => {
      const box = element.getBoundingClientRect();
      return `${nameOf(element)}: ${Math.round(box.width)} px wide, ` +
        `${Math.round(box.left)}..${Math.round(box.right)} in a ${width} px viewport`;
    });
}"""
)

_SMALL_TEXT = (
    "(minimum) => {"
    + _NAME
    + """
  const found = [];
  for (const element of document.body.querySelectorAll("*")) {
    const own = [...element.childNodes].some(
      (node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim() !== ""
    );
    const box = element.getBoundingClientRect();
    if (!own || (box.width === 0 && box.height === 0)) continue;
    const size = parseFloat(getComputedStyle(element).fontSize);
    if (size < minimum) found.push(`${nameOf(element)}: ${size} px`);
  }
  return found;
}"""
)

_BROKEN_IMAGES = (
    "() => {"
    + _NAME
    + """
  return [...document.images]
    .filter((image) => !image.complete || image.naturalWidth === 0)
    .map(nameOf);
}"""
)


async def scroll_width(page: Page) -> int:
    return cast(int, await page.evaluate("document.documentElement.scrollWidth"))


async def overflowing(page: Page) -> list[str]:
    """The elements reaching past the viewport's sides, each named with its width: the
    outermost ones only (an overflowing element inside an overflowing one is the same fault)."""
    return cast(list[str], await page.evaluate(_OUTSIDE, ["body, body *", True]))


async def outside(page: Page, selector: str) -> list[str]:
    """Every element matching `selector` ("img, table") that reaches past the viewport."""
    return cast(list[str], await page.evaluate(_OUTSIDE, [selector, False]))


async def small_text(page: Page, minimum: float) -> list[str]:
    """The visible elements whose own text is set smaller than `minimum` px (computed)."""
    return cast(list[str], await page.evaluate(_SMALL_TEXT, minimum))


async def broken_images(page: Page) -> list[str]:
    return cast(list[str], await page.evaluate(_BROKEN_IMAGES))


async def language(page: Page) -> str:
    return cast(str, await page.evaluate("document.documentElement.lang"))


async def layout_faults(page: Page, lang: str, minimum_text: float = 12) -> list[str]:
    """Everything that would make the page hard to read at its viewport's width: a sideways
    scroll (and what causes it), an image or table wider than the screen, text smaller than
    `minimum_text` px, an image that did not load, a language attribute other than `lang`."""
    width = cast(int, await page.evaluate("document.documentElement.clientWidth"))
    faults = []
    scrolled = await scroll_width(page)
    if scrolled > width:
        causes = "; ".join(await overflowing(page))
        faults.append(f"scrolls sideways: {scrolled} px in {width} px ({causes})")
    faults += [f"wider than the screen: {found}" for found in await outside(page, "img, table")]
    small = await small_text(page, minimum_text)
    faults += [f"text under {minimum_text:g} px: {found}" for found in small]
    faults += [f"image not loaded: {found}" for found in await broken_images(page)]
    declared = await language(page)
    if declared != lang:
        faults.append(f'<html lang="{declared}">, not "{lang}"')
    return faults
