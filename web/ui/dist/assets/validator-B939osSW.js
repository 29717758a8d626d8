import{cl as i}from"./index-BgxgiLNz.js";const n=o=>["",...i].includes(o);export{n as i};
